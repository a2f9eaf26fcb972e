"""Background jobs of customer service (Celery in production, in-process in the embedded default)."""
from __future__ import annotations

from celery import shared_task

from fidelia.core.context import work_context


@shared_task(name="fidelia.service.tasks.sla_check")
def sla_check() -> dict[str, int]:
    """Flag late cases and escalate them (idempotent; beat runs it every five minutes)."""
    from fidelia.service.services import sla_check as run

    with work_context(channel="task"):
        return run()
