"""`fidelia analytics run|show`: recompute the stored analytics, or print the latest summary."""
from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fidelia.analytics import selectors
from fidelia.analytics.enums import RunTrigger
from fidelia.analytics.services import STEPS, analytics_run
from fidelia.core.context import work_context
from fidelia.core.errors import DomainError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = ("Portfolio analytics (Pareto 20/80, ABC 10/30/60, RFM, FRAT) over the whole base. "
            "`run` recomputes every customer's classes and scores from the live transactions of the "
            "period (default: the 12 months ending on the reference date, default today; archived "
            "transactions are left out, refunds reduce revenue), replaces the stored results in one "
            "transaction and writes the reference month's snapshot (the last run of a month wins). "
            "It reads transactions and writes only analytics tables, so it is safe to run at any "
            "time, and the scheduled job runs it every night. `show` prints the latest summary. "
            "`fidelia analytics value|attrition|portfolio …` runs the customer value, attrition and "
            "portfolio commands.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="recompute and store the results")
        run.add_argument("--reference-date", type=_date, default=None, help="YYYY-MM-DD; default today")
        run.add_argument("--period-months", type=int, default=12, help="length of the period (1-120 months)")
        show = sub.add_parser("show", help="print the latest stored summary")
        show.add_argument("--json", action="store_true", help="the whole summary as JSON")

    def handle(self, *args: Any, action: str, **opts: Any) -> None:
        if action == "run":
            self._run(opts["reference_date"], opts["period_months"])
        else:
            self._show(as_json=opts["json"])

    def _run(self, reference_date: dt.date | None, period_months: int) -> None:
        bars: dict[str, tqdm] = {}

        def progress(step: str, done: int, total: int) -> None:
            bar = bars.get(step)
            if bar is None:
                bar = bars[step] = tqdm(total=total, desc=step, unit="row" if step in {"store", "snapshot"} else "step",
                                        disable=None, file=self.stderr)
            bar.total = max(total, 1)
            bar.n = done
            bar.refresh()

        try:
            with work_context(channel="cli"):
                run = analytics_run(actor=None, reference_date=reference_date, period_months=period_months,
                                    trigger=RunTrigger.COMMAND, progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        finally:
            for step in STEPS:
                if step in bars:
                    bars[step].close()
        self.stdout.write(f"Run {run.pk}: {run.customers} customers analysed ({run.excluded} without positive "
                          f"revenue) over {run.date_from} – {run.date_to}; durations {run.durations}")

    def _show(self, *, as_json: bool) -> None:
        run = selectors.latest_run()
        if run is None:
            raise CommandError("No analytics run yet: run `fidelia analytics run` first.")
        if as_json:
            self.stdout.write(json.dumps(run.summary, indent=2, ensure_ascii=False))
            return
        s = run.summary
        p = s["pareto"]
        lines = [
            f"Run {run.pk} of {run.finished_at:%Y-%m-%d %H:%M}, period {run.date_from} – {run.date_to}",
            f"Customers: {s['customers']}, revenue {s['total_revenue']:,.2f} €",
            f"Pareto: top {p['top_count']} customers ({p['top_fraction']:.0%}) make {p['top_share']:.1%}; "
            f"{p['share_customers_for_80']:.1%} of customers make 80 %; Gini {p['gini']:.3f}",
            "ABC: " + ", ".join(f"{c['key']} {c['count']} customers {c['share']:.1%}" for c in s["abc"]["classes"]),
            "RFM: " + ", ".join(f"{g['key']} {g['count']}" for g in s["rfm"]["segments"] if g["count"]),
            "FRAT medians: " + ", ".join(f"{k} {v['median']:.2f}" if v["median"] is not None else f"{k} -"
                                         for k, v in s["frat"].items() if isinstance(v, dict)),
        ]
        self.stdout.write("\n".join(lines))
