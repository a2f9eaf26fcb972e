"""Background jobs of the exports and the BI feed: ids in, reload, call a service, safe to retry."""
from celery import shared_task

from fidelia.bi.feed import bi_feed_generate
from fidelia.bi.services import export_job_run
from fidelia.core.context import work_context


@shared_task(name="fidelia.bi.tasks.export_job_run_task", acks_late=True)
def export_job_run_task(job_id: int) -> str:
    """Run one export job; returns its final status."""
    with work_context(channel="task"):
        return export_job_run(job_id=job_id).status


@shared_task(name="fidelia.bi.tasks.bi_feed_generate_task", acks_late=True)
def bi_feed_generate_task(actor_id: int | None = None) -> int:
    """Regenerate the Parquet feed of the BI page; returns the number of tables written."""
    from fidelia.accounts.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    with work_context(channel="task"):
        return len(bi_feed_generate(actor=actor)["tables"])


@shared_task(name="fidelia.bi.tasks.pseudonyms_refresh_task", acks_late=True)
def pseudonyms_refresh_task() -> int:
    """Give new parties their pseudonymous id, so the read-only views show them (scheduled hourly)."""
    from fidelia.bi.pseudonyms import pseudonyms_refresh

    return pseudonyms_refresh()
