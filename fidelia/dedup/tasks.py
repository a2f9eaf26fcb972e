"""Background jobs of deduplication: ids in, safe to retry."""
from __future__ import annotations

from typing import Any

from celery import shared_task

from fidelia.core.context import work_context


@shared_task(name="fidelia.dedup.tasks.duplicate_scan_task", acks_late=True)
def duplicate_scan_task(scan_id: int | None = None, scope: str = "full") -> dict[str, Any]:
    """Run the queued scan `scan_id`, or (scheduled, no id) queue and run a new one of `scope`.

    Safe to retry: pairs are upserted, a finished scan is not run again.
    """
    from fidelia.dedup.models import DuplicateScan
    from fidelia.dedup.services import duplicate_scan_run

    with work_context(channel="task"):
        if scan_id is None:
            scan_id = DuplicateScan.objects.create(scope=scope).pk
        run = duplicate_scan_run(scan_id=scan_id)
    return {"scan": run.pk, "status": run.status, "found": run.found, "new": run.new}
