"""Background jobs of loyalty: safe to retry (every step is idempotent)."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from fidelia.core.context import work_context
from fidelia.loyalty import services


@shared_task(name="fidelia.loyalty.tasks.loyalty_daily_task", acks_late=True)
def loyalty_daily_task(as_of: str | None = None) -> dict[str, int]:
    """Earn, reward referrals, expire, recompute tiers for `as_of` (ISO date, default today)."""
    today = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    with work_context(channel="task"):
        report = services.loyalty_daily(today=today)
    return vars(report)


@shared_task(name="fidelia.loyalty.tasks.loyalty_sales_task", acks_late=True)
def loyalty_sales_task(party_ids: list[int], transaction_ids: list[int] | None = None) -> dict[str, int]:
    """Points and referral rewards for what sales just recorded (ids of parties, and of purchases).
    Idempotent: a retry, or the daily run after it, adds nothing."""
    with work_context(channel="task"):
        rewarded, earned = services.loyalty_on_sales(party_ids=party_ids, transaction_ids=transaction_ids or [])
    return {"referrals": rewarded, "earned": earned}
