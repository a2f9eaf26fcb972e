"""Background job of loyalty: safe to retry (every step is idempotent)."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from fidelia.core.context import work_context
from fidelia.loyalty.services import loyalty_daily


@shared_task(name="fidelia.loyalty.tasks.loyalty_daily_task", acks_late=True)
def loyalty_daily_task(as_of: str | None = None) -> dict[str, int]:
    """Earn, reward referrals, expire, recompute tiers for `as_of` (ISO date, default today)."""
    today = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    with work_context(channel="task"):
        report = loyalty_daily(today=today)
    return vars(report)
