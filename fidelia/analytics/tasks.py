"""Background jobs of analytics: ids in, reload, call the service, safe to retry.

The nightly beat entry runs `analytics_run_task` without arguments (the system recomputes the
whole base at today's date). Running it twice is harmless: each run replaces the results and the
month's snapshot.
"""
from __future__ import annotations

import datetime as dt

from celery import shared_task

from fidelia.accounts.models import User
from fidelia.analytics.enums import RunTrigger
from fidelia.analytics.services import analytics_run
from fidelia.core.context import work_context


@shared_task(name="fidelia.analytics.tasks.analytics_run_task", acks_late=True)
def analytics_run_task(actor_id: int | None = None, reference_date: str | None = None,
                       period_months: int = 12) -> int:
    """Recompute the stored analytics; returns the run id. `reference_date` is ISO (YYYY-MM-DD)."""
    actor = User.objects.filter(pk=actor_id, is_active=True).first() if actor_id else None
    day = dt.date.fromisoformat(reference_date) if reference_date else None
    with work_context(channel="task"):
        run = analytics_run(actor=actor, reference_date=day, period_months=period_months,
                            trigger=RunTrigger.USER if actor else RunTrigger.SCHEDULE)
    return run.pk
