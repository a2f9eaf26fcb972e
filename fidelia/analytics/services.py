"""Writes of analytics: compute the whole base, store each customer's result and the month's snapshot.

Results are written in bulk (COPY on PostgreSQL, executemany in large batches elsewhere) and
replace the previous ones in one transaction, so readers see either the old or the new results.
"""
from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Callable
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


class Money(np.ndarray):
    """Marker view: an int64 array of cents to store in a decimal column."""


class Ordinal(np.ndarray):
    """Marker view: an int64 array of day ordinals to store in a date column."""


def result_columns(result: AnalysisResult, run_id: int) -> dict[str, np.ndarray]:
    """Typed columns of the CustomerAnalytics rows of `result` (NaN: NULL)."""
    rows, rfm, frat = result.rows, result.rfm, result.frat
    return {
        "party_id": rows.party_ids, "run_id": np.full(len(rows), run_id, dtype=np.int64),
        "revenue": rows.revenue.view(Money), "margin": rows.margin.view(Money), "orders": rows.orders,
        "first_purchase": rows.first_day.view(Ordinal), "last_purchase": rows.last_day.view(Ordinal),
        "rank": result.pareto.rank, "cumulative_share": result.pareto.cumulative_share,
        "abc_class": result.abc.classes, "recency_days": rfm.recency_days,
        "r_score": rfm.r_score, "f_score": rfm.f_score, "m_score": rfm.m_score,
        "rfm_cell": rfm.cells, "rfm_segment": rfm.segments,
        "frat_frequency_days": frat.frequency_days, "frat_recency_days": frat.recency_days,
        "frat_amount_ratio": frat.amount_ratio, "frat_strategic_share": frat.strategic_share,
    }


def snapshot_columns(result: AnalysisResult, period: dt.date) -> dict[str, np.ndarray]:
    """Typed columns of the month's CustomerSnapshot rows."""
    rows, rfm = result.rows, result.rfm
    return {"period": np.full(len(rows), period.toordinal(), dtype=np.int64).view(Ordinal),
            "party_id": rows.party_ids, "revenue": rows.revenue.view(Money), "orders": rows.orders,
            "abc_class": result.abc.classes, "r_score": rfm.r_score, "f_score": rfm.f_score,
            "m_score": rfm.m_score, "rfm_segment": rfm.segments}


def _python_values(col: np.ndarray) -> list[Any]:
    """A column as Python values for executemany: Decimal-exact strings, dates, None for NaN."""
    if isinstance(col, Money):
        a = np.abs(col.view(np.ndarray))
        signs = np.where(col.view(np.ndarray) < 0, "-", "").tolist()
        return [f"{s}{q}.{r:02d}" for s, q, r in zip(signs, (a // 100).tolist(), (a % 100).tolist(), strict=True)]
    if isinstance(col, Ordinal):
        cache: dict[int, dt.date] = {}
        return [cache.setdefault(o, dt.date.fromordinal(o)) for o in col.view(np.ndarray).tolist()]
    if col.dtype.kind == "f":
        return [None if v != v else v for v in col.tolist()]   # NaN is the only value unequal to itself
    return col.tolist()


_EPOCH = dt.date(1970, 1, 1).toordinal()


def _arrow_csv(columns: tuple[str, ...], data: dict[str, np.ndarray]) -> bytes:
    """The rows as CSV written by Arrow (C++), for COPY: exact cents, ISO dates, empty for NULL."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    arrays = []
    for name in columns:
        col = data[name]
        if isinstance(col, Money):
            # a cents integer divided by 100 prints as its exact 2-decimal value (shortest round trip)
            arrays.append(pa.array(col.view(np.ndarray) / 100.0))
        elif isinstance(col, Ordinal):
            arrays.append(pa.array((col.view(np.ndarray) - _EPOCH).astype(np.int32), type=pa.int32()).cast(pa.date32()))
        elif col.dtype.kind == "f":
            arrays.append(pc.if_else(pa.array(np.isnan(col)), pa.scalar(None, pa.float64()), pa.array(col)))
        else:
            arrays.append(pa.array(col))
    sink = io.BytesIO()
    pacsv.write_csv(pa.Table.from_arrays(arrays, names=list(columns)), sink,
                    write_options=pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return sink.getvalue()


def _bulk_insert(table: str, columns: tuple[str, ...], data: dict[str, np.ndarray],
                 progress: Callable[[int], None] | None = None) -> int:
    """Insert typed columns into `table`: COPY (CSV by Arrow) on PostgreSQL, batched executemany elsewhere."""
    n = int(data[columns[0]].shape[0])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            chunk = BATCH * 20
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv)") as copy:
                for start in range(0, n, chunk):
                    end = min(n, start + chunk)
                    copy.write(_arrow_csv(columns, {c: data[c][start:end] for c in columns}))
                    if progress:
                        progress(end - start)
            return n
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        for start in range(0, n, BATCH):
            end = min(n, start + BATCH)
            values = [_python_values(data[c][start:end]) for c in columns]
            cursor.executemany(sql, list(zip(*values, strict=True)))
            if progress:
                progress(end - start)
    return n


def _delete(table: str, where: str = "", params: list[Any] | None = None) -> None:
    """One DELETE statement (nothing depends on these rows: no cascade to collect row by row)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}" + (f" WHERE {where}" if where else ""), params or [])


def _store(result: AnalysisResult, run: AnalysisRun, tick: Callable[[int], None] | None) -> None:
    # DELETE (not TRUNCATE): TRUNCATE takes an exclusive lock that would block dashboards reading
    # the old results while the new ones are written in this transaction.
    _delete(CustomerAnalytics._meta.db_table)
    _bulk_insert(CustomerAnalytics._meta.db_table, RESULT_COLUMNS, result_columns(result, run.pk), tick)


def _snapshot(result: AnalysisResult, period: dt.date, tick: Callable[[int], None] | None) -> int:
    _delete(CustomerSnapshot._meta.db_table, "period = %s", [period])
    return _bulk_insert(CustomerSnapshot._meta.db_table, SNAPSHOT_COLUMNS, snapshot_columns(result, period), tick)


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


# Two runs at once (the nightly job and a user's request) write one after the other: the second
# waits here, then deletes what the first wrote before writing its own rows.
RUN_LOCK_KEY = 0x46_49_44_41  # "FIDA"


def _serialise_runs() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUN_LOCK_KEY])


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
        _serialise_runs()
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
