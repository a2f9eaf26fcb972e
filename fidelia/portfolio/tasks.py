"""Background jobs of portfolio management: reload, call the service, safe to retry (a run of the
same month overwrites that month)."""
from __future__ import annotations

import datetime as dt

from celery import shared_task

from fidelia.core.context import work_context
from fidelia.portfolio.services import portfolio_run


@shared_task(name="fidelia.portfolio.tasks.portfolio_run_task", acks_late=True)
def portfolio_run_task(as_of: str | None = None) -> dict[str, int | str]:
    """Recompute every grid's positions and the RADAR results (nightly; `as_of` ISO date, default today)."""
    with work_context(channel="task"):
        report = portfolio_run(as_of=dt.date.fromisoformat(as_of) if as_of else None)
    return {"period": report.period.isoformat(), "grids": report.grids, "customers": report.customers,
            "radar_rows": report.radar_rows}
