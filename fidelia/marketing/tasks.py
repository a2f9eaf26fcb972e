"""Background jobs of marketing: they take ids, reload, call a service, and are safe to retry."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings

from fidelia.core.context import work_context
from fidelia.marketing import services
from fidelia.marketing.enums import CampaignStatus
from fidelia.marketing.models import Campaign


@shared_task(name="fidelia.marketing.tasks.campaign_dispatch_task", acks_late=True)
def campaign_dispatch_task(campaign_id: int) -> int:
    """Split what may be sent now into batches and queue them; returns the number of batches."""
    with work_context(channel="task"):
        batches = services.campaign_dispatch(campaign_id=campaign_id)
    for ids in batches:
        campaign_send_batch_task.delay(campaign_id, ids)
    if batches and settings.CELERY_TASK_ALWAYS_EAGER:
        # embedded mode ran the batches inline: close the campaign if everything went
        with work_context(channel="task"):
            services.campaign_dispatch(campaign_id=campaign_id)
    return len(batches)


@shared_task(name="fidelia.marketing.tasks.campaign_send_batch_task", acks_late=True,
             autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def campaign_send_batch_task(campaign_id: int, recipient_ids: list[int]) -> dict[str, int]:
    with work_context(channel="task"):
        return services.campaign_send_batch(campaign_id=campaign_id, recipient_ids=recipient_ids)


@shared_task(name="fidelia.marketing.tasks.campaigns_tick_task")
def campaigns_tick_task() -> int:
    """Every few minutes: continue campaigns waiting for their send window, next wave or retries."""
    ids = list(Campaign.objects.filter(status=CampaignStatus.SENDING).values_list("pk", flat=True))
    for pk in ids:
        campaign_dispatch_task.delay(pk)
    return len(ids)


@shared_task(name="fidelia.marketing.tasks.triggers_run_task")
def triggers_run_task(as_of: str | None = None) -> dict[str, int]:
    """Daily: the automatic campaigns (welcome, birthday, contract anniversary, follow-up calls)."""
    from fidelia.marketing.triggers import triggers_run

    with work_context(channel="task"):
        return triggers_run(as_of=dt.date.fromisoformat(as_of) if as_of else None)


@shared_task(name="fidelia.marketing.tasks.attribution_task", acks_late=True)
def attribution_task(kind: str, ids: list[int]) -> int:
    """Attribute purchases ("orders") or opportunities just recorded by sales; safe to retry."""
    from fidelia.sales.models import Opportunity, Transaction

    with work_context(channel="task"):
        if kind == "orders":
            return services.orders_attribute(transactions=Transaction.objects.filter(pk__in=ids))
        if kind == "opportunities":
            return services.opportunities_attribute(opportunities=Opportunity.objects.filter(pk__in=ids))
    raise ValueError(f"unknown attribution kind {kind!r}")


@shared_task(name="fidelia.marketing.tasks.attribution_catch_up_task")
def attribution_catch_up_task(today: str | None = None) -> dict[str, int]:
    """Daily: attribute the orders and opportunities of campaigns whose window is open or just closed."""
    with work_context(channel="task"):
        return services.attribution_catch_up(today=dt.date.fromisoformat(today) if today else None)
