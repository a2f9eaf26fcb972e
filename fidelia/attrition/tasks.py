"""Background jobs of attrition: safe to retry (a run replaces the stored risks; the daily check
skips customers who already have a record)."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from fidelia.attrition.services import model_run, suggest_losses
from fidelia.core.context import work_context


@shared_task(name="fidelia.attrition.tasks.attrition_nightly_task", acks_late=True)
def attrition_nightly_task(as_of: str | None = None) -> dict[str, object]:
    """Suggest the losses of customers whose contracts have all ended, then train, validate and score
    (nightly; `as_of` ISO date, default today)."""
    today = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    with work_context(channel="task"):
        suggested = suggest_losses(today=today)
        run = model_run(today=today)
    return {"run": run.pk, "status": run.status, "customers": run.customers, "suggested": suggested}
