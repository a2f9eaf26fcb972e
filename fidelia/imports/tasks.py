"""Background import jobs. The task takes the run's id, reloads it, resumes after the last
committed batch: safe to retry, and safe to deliver twice (a row lock serialises the batches)."""
from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from fidelia.core.context import work_context


# A lost database connection rolls the current batch back; the retry resumes after the last
# committed one. acks_late: a worker killed mid-run leaves the message to be delivered again.
@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError, OperationalError, InterfaceError),
             max_retries=5, retry_backoff=True)
def import_run_task(run_id: int) -> str:
    from fidelia.imports.services import import_run_execute

    with work_context(channel="task"):
        return import_run_execute(run_id=run_id).status


def dispatch(run_id: int, *, total_rows: int) -> None:
    """Run a small import now, queue a large one (after the transaction that queued it commits)."""
    from django.db import transaction

    from fidelia.imports.services import INLINE_MAX_ROWS

    if total_rows <= INLINE_MAX_ROWS:
        import_run_task.apply(args=[run_id])
    else:
        transaction.on_commit(lambda: import_run_task.delay(run_id))
