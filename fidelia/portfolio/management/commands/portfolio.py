from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from fidelia.core.context import work_context
from fidelia.portfolio.models import ScoringGrid
from fidelia.portfolio.services import portfolio_run


class Command(BaseCommand):
    help = ("Portfolio management. `run`: recompute and store every customer's weighted scores, matrix "
            "positions, quadrant, strategy and relationship policy on each scoring grid for the month of "
            "--as-of (default today), then the RADAR results (TCC and strategy) per year. It only writes "
            "derived results: re-running a month overwrites that month, nothing entered is changed. "
            "The same job runs nightly under Celery beat (fidelia.portfolio.tasks.portfolio_run_task).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["run"])
        parser.add_argument("--as-of", dest="as_of", type=dt.date.fromisoformat, default=None,
                            help="compute the month of this date (YYYY-MM-DD), e.g. to rebuild a past month")
        parser.add_argument("--grid", dest="grids", action="append", metavar="CODE",
                            help="only this grid (repeatable); default: every grid")

    def handle(self, *args: Any, action: str, as_of: dt.date | None, grids: list[str] | None, **opts: Any) -> None:
        chosen = None
        if grids:
            chosen = list(ScoringGrid.objects.filter(code__in=grids))
            missing = sorted(set(grids) - {g.code for g in chosen})
            if missing:
                raise CommandError(f"Unknown grid code(s): {', '.join(missing)}")
        with work_context(channel="cli"), tqdm(unit="position", disable=None, file=self.stderr) as bar:
            report = portfolio_run(as_of=as_of, grids=chosen, progress=bar.update,
                                   on_total=lambda n: setattr(bar, "total", n))
        self.stdout.write(f"{report.period:%Y-%m}: {report.customers} customers on {report.grids} grid(s), "
                          f"{report.radar_rows} RADAR rows.")
