"""Background jobs of actions to take: the daily refresh (Celery beat entry "actions-daily-refresh")."""
from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.utils import timezone

from fidelia.accounts.models import User
from fidelia.actions.services import actions_refresh


@shared_task
def actions_refresh_task(*, actor_id: int | None = None, as_of: str | None = None) -> dict[str, Any]:
    """Run every active rule for `as_of` (today by default). Safe to retry: a re-run creates nothing."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    report = actions_refresh(as_of=day, actor=actor)
    return {"as_of": day.isoformat(), "created": report.created, "matched": report.matched,
            "expired": report.expired, "woken": report.woken, "seconds": round(report.seconds, 2)}
