"""Background jobs of the sales app: ids in, reload, call a service, safe to retry."""
from celery import shared_task

from fidelia.sales.services import contracts_refresh_status, quotes_expire


@shared_task(name="fidelia.sales.tasks.contracts_refresh_status_task", acks_late=True)
def contracts_refresh_status_task() -> int:
    return contracts_refresh_status()


@shared_task(name="fidelia.sales.tasks.quotes_expire_task", acks_late=True)
def quotes_expire_task() -> int:
    """Draft and sent quotes past their validity date become expired (idempotent)."""
    return quotes_expire()
