"""Writes of analytics: compute the whole base, store each customer's result and the month's snapshot.

Results are written in bulk (COPY on PostgreSQL, executemany in large batches elsewhere) and
replace the previous ones in one transaction, so readers see either the old or the new results.
"""
from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.analytics import methods, selectors
from fidelia.analytics.enums import RunStatus, RunTrigger
from fidelia.analytics.models import AnalysisRun, CustomerAnalytics, CustomerSnapshot
from fidelia.analytics.results import AnalysisOptions, AnalysisResult
from fidelia.core.errors import PermissionDenied, ValidationFailed
from fidelia.core.events import record

if TYPE_CHECKING:
    from fidelia.accounts.models import User

Progress = Callable[[str, int, int], None]   # (step, done, total)
STEPS = ("fetch", "compute", "store", "snapshot")
BATCH = 5000

RESULT_COLUMNS = ("party_id", "run_id", "revenue", "margin", "orders", "first_purchase", "last_purchase", "rank",
                  "cumulative_share", "abc_class", "recency_days", "r_score", "f_score", "m_score", "rfm_cell",
                  "rfm_segment", "frat_frequency_days", "frat_recency_days", "frat_amount_ratio",
                  "frat_strategic_share")
SNAPSHOT_COLUMNS = ("period", "party_id", "revenue", "orders", "abc_class", "r_score", "f_score", "m_score",
                    "rfm_segment")


def _check_params(period_months: int, abc_cutoffs: tuple[float, float, float]) -> None:
    if not 1 <= period_months <= 120:
        message = _("The period must be between 1 and 120 months.")
        raise ValidationFailed(message, fields={"period_months": [message]})
    if len(abc_cutoffs) != 3 or min(abc_cutoffs) < 0 or abs(sum(abc_cutoffs) - 1) > 1e-9:
        message = _("The three ABC cut-offs must be non-negative and add up to 100 %.")
        raise ValidationFailed(message, fields={"abc_cutoffs": [message]})


def _optional(values: np.ndarray) -> list[float | None]:
    return [None if not np.isfinite(v) else float(v) for v in values]


def _dates(ordinals: np.ndarray) -> list[dt.date]:
    cache: dict[int, dt.date] = {}
    return [cache.setdefault(o, dt.date.fromordinal(o)) for o in ordinals.tolist()]


def result_columns(result: AnalysisResult, run_id: int) -> dict[str, list[Any]]:
    """Column lists of the CustomerAnalytics rows of `result` (amounts in euros as 2-decimal strings)."""
    rows, rfm, frat = result.rows, result.rfm, result.frat
    n = len(rows)
    return {
        "party_id": rows.party_ids.tolist(), "run_id": [run_id] * n,
        "revenue": _money(rows.revenue), "margin": _money(rows.margin), "orders": rows.orders.tolist(),
        "first_purchase": _dates(rows.first_day), "last_purchase": _dates(rows.last_day),
        "rank": result.pareto.rank.tolist(), "cumulative_share": result.pareto.cumulative_share.tolist(),
        "abc_class": result.abc.classes.tolist(), "recency_days": rfm.recency_days.tolist(),
        "r_score": rfm.r_score.tolist(), "f_score": rfm.f_score.tolist(), "m_score": rfm.m_score.tolist(),
        "rfm_cell": rfm.cells.tolist(), "rfm_segment": rfm.segments.tolist(),
        "frat_frequency_days": _optional(frat.frequency_days), "frat_recency_days": frat.recency_days.tolist(),
        "frat_amount_ratio": _optional(frat.amount_ratio), "frat_strategic_share": _optional(frat.strategic_share),
    }


def _money(cents: np.ndarray) -> list[str]:
    """Cents to exact decimal strings ('-12.05'), never through floats."""
    sign = np.where(cents < 0, "-", "")
    a = np.abs(cents)
    return [f"{s}{q}.{r:02d}" for s, q, r in zip(sign.tolist(), (a // 100).tolist(), (a % 100).tolist(), strict=True)]


def _bulk_insert(table: str, columns: tuple[str, ...], data: dict[str, list[Any]],
                 progress: Callable[[int], None] | None = None) -> int:
    """Insert column lists into `table`: COPY on PostgreSQL, batched executemany elsewhere."""
    n = len(data[columns[0]]) if columns else 0
    cols = [data[c] for c in columns]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for start in range(0, n, BATCH * 10):
                    copy.write(_copy_text(cols, start, min(n, start + BATCH * 10)))
                    if progress:
                        progress(min(n, start + BATCH * 10) - start)
            return n
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        for start in range(0, n, BATCH):
            end = min(n, start + BATCH)
            cursor.executemany(sql, list(zip(*(c[start:end] for c in cols), strict=True)))
            if progress:
                progress(end - start)
    return n


def _copy_text(cols: list[list[Any]], start: int, end: int) -> bytes:
    """Rows [start, end) in COPY text format (values here never hold tabs, newlines or backslashes)."""
    def cell(v: Any) -> str:
        return "\\N" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v)
    lines: Iterator[str] = ("\t".join(cell(c[i]) for c in cols) for i in range(start, end))
    buf = io.StringIO()
    for line in lines:
        buf.write(line)
        buf.write("\n")
    return buf.getvalue().encode()


def _store(result: AnalysisResult, run: AnalysisRun, tick: Callable[[int], None] | None) -> None:
    data = result_columns(result, run.pk)
    CustomerAnalytics.objects.all().delete() if connection.vendor != "postgresql" else _truncate_results()
    _bulk_insert(CustomerAnalytics._meta.db_table, RESULT_COLUMNS, data, tick)


def _truncate_results() -> None:
    # DELETE (not TRUNCATE): TRUNCATE takes an exclusive lock that would block dashboards reading
    # the old results while the new ones are written in this transaction.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CustomerAnalytics._meta.db_table}")


def _snapshot(result: AnalysisResult, period: dt.date, tick: Callable[[int], None] | None) -> int:
    CustomerSnapshot.objects.filter(period=period).delete()
    rows, rfm = result.rows, result.rfm
    n = len(rows)
    data = {"period": [period] * n, "party_id": rows.party_ids.tolist(), "revenue": _money(rows.revenue),
            "orders": rows.orders.tolist(), "abc_class": result.abc.classes.tolist(),
            "r_score": rfm.r_score.tolist(), "f_score": rfm.f_score.tolist(), "m_score": rfm.m_score.tolist(),
            "rfm_segment": rfm.segments.tolist()}
    return _bulk_insert(CustomerSnapshot._meta.db_table, SNAPSHOT_COLUMNS, data, tick)


def analytics_run(*, actor: User | None, reference_date: dt.date | None = None, period_months: int = 12,
                  abc_cutoffs: tuple[float, float, float] = (0.10, 0.30, 0.60),
                  trigger: str = RunTrigger.USER, progress: Progress | None = None) -> AnalysisRun:
    """Compute Pareto, ABC, RFM and FRAT over the whole base and replace the stored results.

    The period is the `period_months` months ending on `reference_date` (default: today). In one
    transaction: every customer's `CustomerAnalytics` row is replaced, the reference month's
    `CustomerSnapshot` rows are replaced (the last run of a month wins), the run is recorded with
    its summary and durations, and an activity event names the actor (None: the scheduled job).
    Raises PermissionDenied when `actor` may not run analytics. A failure leaves the previous
    results in place and the run marked failed.
    """
    if actor is not None and not policies.can_run_analytics(actor):
        raise PermissionDenied(_("You may not recompute the analytics."))
    _check_params(period_months, abc_cutoffs)
    options = AnalysisOptions(reference_date=reference_date or timezone.localdate(), period_months=period_months,
                              abc_cutoffs=abc_cutoffs)
    reference, date_from, date_to = selectors.resolve_period(options)
    run = AnalysisRun.objects.create(actor=actor, trigger=trigger, reference_date=reference, date_from=date_from,
                                     date_to=date_to, params={"period_months": period_months,
                                                              "abc_cutoffs": list(abc_cutoffs)})
    try:
        _compute_and_store(run, options, progress)
    except Exception as exc:
        AnalysisRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=repr(exc)[:2000],
                                                     finished_at=timezone.now())
        raise
    return run


def _compute_and_store(run: AnalysisRun, options: AnalysisOptions, progress: Progress | None) -> None:
    durations: dict[str, float] = {}

    def step(name: str, done: int, total: int) -> None:
        if progress:
            progress(name, done, total)

    clock = time.perf_counter()
    step("fetch", 0, 1)
    rows = selectors.customer_rows(date_from=run.date_from, date_to=run.date_to)
    durations["fetch"] = time.perf_counter() - clock
    step("fetch", 1, 1)
    clock = time.perf_counter()
    result = methods.analyse(rows, reference_date=run.reference_date, date_from=run.date_from, date_to=run.date_to,
                             options=options)
    summary = methods.summarise(result)
    durations["compute"] = time.perf_counter() - clock
    n = len(result.rows)
    done = {"store": 0, "snapshot": 0}

    def tick(name: str) -> Callable[[int], None]:
        def advance(k: int) -> None:
            done[name] += k
            step(name, done[name], n)
        return advance

    clock = time.perf_counter()
    with transaction.atomic():
        _store(result, run, tick("store"))
        durations["store"] = time.perf_counter() - clock
        clock = time.perf_counter()
        _snapshot(result, run.reference_date.replace(day=1), tick("snapshot"))
        durations["snapshot"] = time.perf_counter() - clock
        run.status, run.finished_at = RunStatus.DONE, timezone.now()
        run.customers, run.excluded = n, result.excluded
        run.summary, run.durations = summary, {k: round(v, 3) for k, v in durations.items()}
        run.save(update_fields=["status", "finished_at", "customers", "excluded", "summary", "durations"])
        record(actor=run.actor, action="analytics_run", obj=run, party_id=None, changes={"customers": [None, n]})
