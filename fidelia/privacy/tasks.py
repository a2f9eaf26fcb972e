"""Background jobs of the privacy app: no objects in, safe to retry."""
from __future__ import annotations

from typing import Any

from celery import shared_task

from fidelia.privacy.retention import retention_run


@shared_task(name="fidelia.privacy.tasks.retention_run_task", acks_late=True)
def retention_run_task(apply: bool = False) -> dict[str, Any]:
    """Run the whole retention register (dry run unless `apply`); returns the run's id and counts.

    Safe to retry: a second run acts only on what is still past its policy, i.e. nothing new.
    """
    run = retention_run(apply=apply, trigger="schedule")
    return {"run": run.pk, "dry_run": run.dry_run, "counts": run.counts}
