"""Background jobs of customer value: reload, call the service, safe to retry (a run replaces the last one)."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from fidelia.clv import rescoring
from fidelia.clv.services import value_model_run, value_rescore
from fidelia.core.context import work_context


@shared_task(name="fidelia.clv.tasks.value_model_run_task", acks_late=True)
def value_model_run_task(as_of: str | None = None, count_model: str = "bgnbd") -> dict[str, object]:
    """Refit the models and rescore every customer (nightly; `as_of` ISO date, default today)."""
    with work_context(channel="task"):
        run = value_model_run(as_of=dt.date.fromisoformat(as_of) if as_of else timezone.localdate(),
                              actor=None, count_model=count_model)
    return {"run": run.pk, "status": run.status, "customers": run.n_customers}


@shared_task(name="fidelia.clv.tasks.value_rescore_task", acks_late=True)
def value_rescore_task(party_ids: list[int]) -> int:
    """Rescore these customers with the last fitted parameters (after new purchases or efforts)."""
    rescoring.claim("value", party_ids)
    with work_context(channel="task"):
        return value_rescore(party_ids=party_ids, actor=None)


def on_purchases_recorded(sender: object, party_ids: list[int], **kwargs: object) -> None:
    """Receiver of `sales.signals.purchases_recorded` (after commit): value these customers again."""
    rescoring.queue(value_rescore_task, party_ids, kind="value")
