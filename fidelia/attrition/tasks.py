"""Background jobs of attrition: safe to retry (a run replaces the stored risks; the daily check
skips customers who already have a record; rescoring rewrites the same customers' rows)."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from fidelia.attrition.services import model_run, risk_rescore, suggest_losses
from fidelia.clv import rescoring
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


@shared_task(name="fidelia.attrition.tasks.risk_rescore_task", acks_late=True)
def risk_rescore_task(party_ids: list[int]) -> int:
    """Score these customers again with the last fitted model (after a purchase, contract, complaint or answer)."""
    rescoring.claim("risk", party_ids)
    with work_context(channel="task"):
        return risk_rescore(party_ids=party_ids)


def on_customer_event(sender: object, party_ids: list[int], **kwargs: object) -> None:
    """Receiver of purchases, new contracts, complaints and survey answers (sent after commit): rescore
    these customers' risk."""
    rescoring.queue(risk_rescore_task, party_ids, kind="risk")
