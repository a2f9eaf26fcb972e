"""Reads of analytics: SQL aggregation where the data lives, and access-checked stored results.

Two paths serve every dashboard:
- the *stored* path (default options): the latest `AnalysisRun.summary` for users who see the
  whole base, or a summary rebuilt from the stored per-customer rows of the user's scope (classes
  and segments stay the base-wide ones, the same that segments, campaigns and the 360 page use);
- the *on-the-fly* path (any other period, team, owner, product family or list of parties): the
  transactions are aggregated again and all four methods recomputed for that population only.

Scope: `policies.analytics_scope_filter(user)` (reps and managers: their portfolio; analysts,
marketing, administrators: the whole base). Individual rows (class lists, a customer's results
and trajectory) also need `can_see_individuals_in_analytics`: analysts never get them.
"""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.analytics import methods
from fidelia.analytics.enums import AbcClass, Method, MigrationDimension, RfmSegment, RunStatus
from fidelia.analytics.models import AnalysisRun, CustomerAnalytics, CustomerSnapshot
from fidelia.analytics.results import AnalysisOptions, AnalysisResult, CustomerRows
from fidelia.core import bulkread
from fidelia.core.errors import PermissionDenied, ValidationFailed
from fidelia.parties.models import Party
from fidelia.parties.selectors import party_get_for_user
from fidelia.sales.enums import ProductKind
from fidelia.sales.models import Product

if TYPE_CHECKING:
    from fidelia.accounts.models import User

# A day offset is packed with the day's amount in one integer so that MAX() returns the amount of
# the last purchase day in the same single pass (portable to SQLite and PostgreSQL).
# Day offsets stay below 3,660 (120 months) and a day's purchases below 10**12 cents, so the packed
# value stays below 2**53 and is exact in float8 too.
_PACK = 10**12


MAX_PERIOD_DAYS = 3660   # 120 months: keeps the packed day offsets exact (see _PACK)

# --- periods ---------------------------------------------------------------------------------

def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (clamped to the month's end: 31 March − 1 month = 28/29 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def resolve_period(options: AnalysisOptions) -> tuple[dt.date, dt.date, dt.date]:
    """(reference date, first day, last day) of the period; refuses an empty or inverted one."""
    reference = options.reference_date or dt.date.today()
    date_to = options.date_to or reference
    date_from = options.date_from or months_before(date_to, options.period_months) + dt.timedelta(days=1)
    if date_from > date_to:
        message = str(_("The end of the period is before its start."))
        raise ValidationFailed(message, fields={"date_to": [message]})
    if options.period_months < 1 or options.period_months > 120:
        message = str(_("The period must be between 1 and 120 months."))
        raise ValidationFailed(message, fields={"period_months": [message]})
    if (date_to - date_from).days > MAX_PERIOD_DAYS:
        message = str(_("The period cannot be longer than 10 years."))
        raise ValidationFailed(message, fields={"date_from": [message]})
    return reference, date_from, date_to


# --- fetch: per-customer aggregates in SQL ---------------------------------------------------

# PostgreSQL gets more memory for a whole-base read than a page query needs.
ANALYTICS_WORK_MEM = "1GB"

# SQLite: amounts to integer cents, and day offsets from the start of the period
_CENTS = "CAST(ROUND({} * 100) AS INTEGER)"
_OFFSET = "CAST(julianday(t.date) - julianday(%s) AS INTEGER)"


def customer_rows(*, date_from: dt.date, date_to: dt.date, parties: QuerySet[Party] | None = None,
                  family_id: int | None = None) -> CustomerRows:
    """Per-customer aggregates of the live (not archived) transactions dated in [date_from, date_to].

    One GROUP BY (party, day) then one GROUP BY party: in SQL on SQLite; on PostgreSQL the lines
    stream out through COPY and are grouped the same way in NumPy (`rows_from_lines`). `parties` narrows the
    population (None: every party); `family_id` keeps only that product family's transactions.
    Refunds (negative amounts) count in revenue and margin, not as orders nor in the last order.
    """
    where, params = ["t.archived_at IS NULL", "t.date >= %s", "t.date <= %s"], [date_from, date_to]
    if parties is not None:
        sub, sub_params = parties.values("pk").query.sql_with_params()
        where.append(f"t.party_id IN ({sub})")
        params.extend(sub_params)
    if family_id is not None:
        where.append("t.product_id IN (SELECT id FROM sales_product WHERE family_id = %s)")
        params.append(family_id)
    if connection.vendor == "postgresql":
        return _customer_rows_from_lines(where, params, date_from=date_from)
    cents = _CENTS
    query = f"""
        SELECT d.party_id, SUM(d.net), SUM(d.mrg),
               SUM(CASE WHEN d.pos > 0 THEN 1 ELSE 0 END),
               MIN(CASE WHEN d.pos > 0 THEN d.day END), MAX(CASE WHEN d.pos > 0 THEN d.day END),
               MAX(CASE WHEN d.pos > 0 THEN d.day * {_PACK} + d.pos END),
               SUM(d.pos), SUM(d.strat)
        FROM (
            SELECT t.party_id, {_OFFSET} AS day,
                   SUM({cents.format("t.amount")}) AS net, SUM({cents.format("t.margin")}) AS mrg,
                   SUM(CASE WHEN t.amount > 0 THEN {cents.format("t.amount")} ELSE 0 END) AS pos,
                   SUM(CASE WHEN t.amount > 0 AND p.kind = %s THEN {cents.format("t.amount")} ELSE 0 END) AS strat
            FROM sales_transaction t JOIN sales_product p ON p.id = t.product_id
            WHERE {" AND ".join(where)}
            GROUP BY t.party_id, t.date
        ) d
        GROUP BY d.party_id"""
    with connection.cursor() as cursor:
        cursor.execute(query, [date_from, ProductKind.STRATEGIC.value, *params])
        fetched = cursor.fetchall()
    return rows_from_tuples(fetched, date_from=date_from)


def _customer_rows_from_lines(where: list[str], params: list[Any], *, date_from: dt.date) -> CustomerRows:
    """PostgreSQL: the transaction lines stream out through COPY and are grouped in NumPy
    (`rows_from_lines`), about 3x faster than the database's two hash aggregates on 10M lines
    (benchmarks/analytics.py). The lines leave as stored (amounts as text, no join: the strategic
    flag comes from the product id), which halves the database's share of the work."""
    import pyarrow as pa

    lines = f"""
        SELECT t.party_id, t.date - %s::date, t.amount, t.margin, t.product_id
        FROM sales_transaction t
        WHERE {" AND ".join(where)}"""
    cols = bulkread.copy_columns(
        lines, [date_from, *params], types=[pa.int64(), pa.int64(), pa.float64(), pa.float64(), pa.int64()],
        work_mem=getattr(settings, "FIDELIA_ANALYTICS_WORK_MEM", ANALYTICS_WORK_MEM))
    if cols is None:
        return CustomerRows.empty()
    party, day, amount, margin, product = cols
    strategic_ids = np.fromiter(Product.objects.filter(kind=ProductKind.STRATEGIC).values_list("pk", flat=True),
                                dtype=np.int64)
    # amounts have two decimals: cents = rint(amount × 100) is exact
    return rows_from_lines(party, day, np.rint(amount * 100).astype(np.int64), np.rint(margin * 100).astype(np.int64),
                           np.isin(product, strategic_ids).astype(np.int64), date_from=date_from)


def rows_from_lines(party: np.ndarray, day: np.ndarray, amount: np.ndarray, margin: np.ndarray,
                    strategic: np.ndarray, *, date_from: dt.date) -> CustomerRows:
    """The aggregate of `customer_rows`, computed from transaction lines (party id, day offset,
    amount and margin in cents, 1 if the product is strategic): the same per (party, day) then per
    party sums as the SQL, so both paths give identical rows (tested).

    Sums are weighted counts over a dense party index (no sort of the lines); only the distinct
    (party, purchase day) pairs are sorted, for the order count and the first and last order. The
    float64 sums are exact: every partial sum of cents stays far below 2**53."""
    if party.size == 0:
        return CustomerRows.empty()
    ids, idx = _dense_index(party)
    n = ids.size

    def total(weights: np.ndarray) -> np.ndarray:
        return np.rint(np.bincount(idx, weights=weights, minlength=n)).astype(np.int64)

    bought = amount > 0
    positive = np.where(bought, amount, 0)
    days = int(day.max()) + 1
    pairs = np.sort(idx[bought].astype(np.int64) * days + day[bought])   # (party, purchase day), sorted
    pairs = pairs[_group_starts(pairs)]                                     # … and distinct
    pair_party, pair_day = pairs // days, pairs % days
    orders = np.bincount(pair_party, minlength=n).astype(np.int64)
    first, last = np.zeros(n, np.int64), np.zeros(n, np.int64)
    if pairs.size:
        starts = _group_starts(pair_party)
        ends = np.append(starts[1:], pairs.size) - 1
        first[pair_party[starts]] = pair_day[starts]
        last[pair_party[ends]] = pair_day[ends]
    last_order = total(np.where(bought & (day == last[idx]), amount, 0))
    packed = np.where(orders > 0, last * _PACK + last_order, 0)
    cols = [ids, total(amount), total(margin), orders, first, last, packed, total(positive),
            total(np.where(strategic == 1, positive, 0))]
    return _rows_from_columns([c.astype(np.int64) for c in cols], date_from=date_from)


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """Indices where a run of equal (sorted) keys starts."""
    change = np.zeros(keys[0].shape[0], dtype=bool)
    change[:1] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)


def _dense_index(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct ids, each element's position among them). Ids from a sequence are counted
    in an array spanning their range; sparse ones go through a sort."""
    low, high = int(ids.min()), int(ids.max())
    if high - low < 4 * ids.size + 1024:
        present = np.bincount(ids - low, minlength=high - low + 1) > 0
        rank = np.cumsum(present) - 1
        return np.flatnonzero(present) + low, rank[ids - low]
    order = np.argsort(ids)
    ordered = ids[order]
    new = np.ones(ids.size, dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    rank = np.empty(ids.size, np.int64)
    rank[order] = np.cumsum(new) - 1
    return ordered[new], rank


def rows_from_tuples(fetched: list[tuple[Any, ...]], *, date_from: dt.date) -> CustomerRows:
    """Turn the aggregate query's tuples into aligned int64 arrays (days as ordinals)."""
    if not fetched:
        return CustomerRows.empty()
    # None (a party with only refunds) becomes 0 before the conversion to integers
    arr = np.array([[0 if v is None else round(v) for v in row] for row in fetched], dtype=np.int64)
    return _rows_from_columns([arr[:, i] for i in range(9)], date_from=date_from)


def _rows_from_columns(cols: list[np.ndarray], *, date_from: dt.date) -> CustomerRows:
    base = date_from.toordinal()
    party, revenue, margin, orders, first_off, last_off, packed, gross, strategic = cols
    has_order = orders > 0
    last_off = np.where(has_order, last_off, 0)
    return CustomerRows(
        party_ids=party, revenue=revenue, margin=margin, orders=orders,
        first_day=np.where(has_order, first_off + base, 0), last_day=np.where(has_order, last_off + base, 0),
        last_order=np.where(has_order, packed - last_off * _PACK, 0), gross=gross, strategic=strategic)


# --- population ------------------------------------------------------------------------------

def scope_parties(user: User | None) -> QuerySet[Party] | None:
    """The parties whose figures feed `user`'s dashboards; None = the whole base (no filter needed).

    `user=None` is the system (scheduled job, CLI). Raises Http404 for a user without analytics.
    """
    if user is None:
        return None
    rule = policies.analytics_scope_filter(user)
    if rule is None:
        raise Http404
    if rule == Q():
        return None
    return Party.objects.filter(rule, merged_into__isnull=True)


def _population(user: User | None, options: AnalysisOptions) -> QuerySet[Party] | None:
    parties = scope_parties(user)
    narrow = Q()
    if options.team_id is not None:
        narrow &= Q(team_id=options.team_id)
    if options.owner_id is not None:
        narrow &= Q(owner_id=options.owner_id)
    if options.party_ids is not None:
        narrow &= Q(pk__in=list(options.party_ids))
    if narrow == Q():
        return parties
    return (parties if parties is not None else Party.objects.all()).filter(narrow)


def analysis_for_user(user: User | None, *, options: AnalysisOptions | None = None) -> AnalysisResult:
    """All four methods recomputed from the transactions for `user`'s scope narrowed by `options`."""
    options = options or AnalysisOptions()
    reference, date_from, date_to = resolve_period(options)
    rows = customer_rows(date_from=date_from, date_to=date_to, parties=_population(user, options),
                         family_id=options.family_id)
    return methods.analyse(rows, reference_date=reference, date_from=date_from, date_to=date_to, options=options)


# --- stored results --------------------------------------------------------------------------

def latest_run() -> AnalysisRun | None:
    """The last completed run (its summary feeds the whole-base dashboards), None before the first."""
    return AnalysisRun.objects.filter(status=RunStatus.DONE).order_by("-finished_at", "-id").first()


def _stored_for_user(user: User) -> QuerySet[CustomerAnalytics]:
    parties = scope_parties(user)
    qs = CustomerAnalytics.objects.all()
    return qs if parties is None else qs.filter(party__in=parties.values("pk"))


def _cents(values: list[Decimal]) -> np.ndarray:
    return np.array([int(round(v * 100)) for v in values], dtype=np.int64)


def summary_from_stored(user: User, run: AnalysisRun) -> dict[str, Any]:
    """The summary of the stored rows within `user`'s scope (base-wide classes and segments)."""
    cols = ("party_id", "revenue", "abc_class", "rfm_segment", "r_score", "f_score", "m_score",
            "frat_frequency_days", "recency_days", "frat_recency_days", "frat_amount_ratio", "frat_strategic_share")
    data = list(_stored_for_user(user).values_list(*cols))
    table = list(zip(*data, strict=True)) if data else [[] for _ in cols]
    col = dict(zip(cols, table, strict=True))

    def floats(name: str) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in col[name]], dtype=np.float64)

    summary = methods.summarise_arrays(
        party_ids=np.array(col["party_id"], dtype=np.int64), revenue=_cents(list(col["revenue"])),
        classes=np.array(col["abc_class"], dtype="<U1"), segments=np.array(col["rfm_segment"], dtype="<U20"),
        r=np.array(col["r_score"], dtype=np.int64), f=np.array(col["f_score"], dtype=np.int64),
        m=np.array(col["m_score"], dtype=np.int64), frat_frequency=floats("frat_frequency_days"),
        frat_recency=floats("frat_recency_days"), frat_amount=floats("frat_amount_ratio"),
        frat_strategic=floats("frat_strategic_share"), cutoffs=tuple(run.params.get("abc_cutoffs", (0.1, 0.3, 0.6))))
    summary.update(_run_meta(run), excluded=None, scope="portfolio")
    return summary


def _run_meta(run: AnalysisRun) -> dict[str, Any]:
    return {"run_id": run.pk, "reference_date": run.reference_date.isoformat(), "date_from": run.date_from.isoformat(),
            "date_to": run.date_to.isoformat(), "computed_at": run.finished_at.isoformat() if run.finished_at else None,
            "source": "stored"}


def analytics_summary(user: User, *, options: AnalysisOptions | None = None) -> dict[str, Any]:
    """Summary of the four methods for `user`'s dashboards (see the module docstring for the paths).

    Keys: meta (run_id, reference_date, date_from, date_to, computed_at, source "stored" or
    "live", scope "base"/"portfolio"/"custom"), customers, excluded, total_revenue (€), pareto,
    abc, rfm, frat — the shape of `methods.summarise_arrays`. Raises Http404 without analytics.
    Before any run the default view is computed live.
    """
    options = options or AnalysisOptions()
    parties = scope_parties(user)
    run = latest_run() if options.is_default and options.reference_date is None else None
    if run is not None:
        if parties is None:
            return {**run.summary, **_run_meta(run), "scope": "base"}
        return summary_from_stored(user, run)
    result = analysis_for_user(user, options=options)
    summary = methods.summarise(result)
    summary.update(source="live", scope="base" if parties is None and options.is_default else "custom",
                   run_id=None, computed_at=None)
    return summary


def pareto_for_user(user: User, *, options: AnalysisOptions | None = None) -> dict[str, Any]:
    """The Pareto part of `analytics_summary` (with the period meta)."""
    return _method_part(analytics_summary(user, options=options), Method.PARETO)


def abc_for_user(user: User, *, options: AnalysisOptions | None = None) -> dict[str, Any]:
    """The ABC part of `analytics_summary` (with the period meta)."""
    return _method_part(analytics_summary(user, options=options), Method.ABC)


def rfm_for_user(user: User, *, options: AnalysisOptions | None = None) -> dict[str, Any]:
    """The RFM part of `analytics_summary` (with the period meta)."""
    return _method_part(analytics_summary(user, options=options), Method.RFM)


def frat_for_user(user: User, *, options: AnalysisOptions | None = None) -> dict[str, Any]:
    """The FRAT part of `analytics_summary` (with the period meta)."""
    return _method_part(analytics_summary(user, options=options), Method.FRAT)


META_KEYS = ("run_id", "reference_date", "date_from", "date_to", "computed_at", "source", "scope",
             "customers", "excluded", "total_revenue")


def _method_part(summary: dict[str, Any], method: str) -> dict[str, Any]:
    return {**{k: summary.get(k) for k in META_KEYS}, method: summary[method]}


# --- individuals -----------------------------------------------------------------------------

def _require_individuals(user: User) -> None:
    if not policies.can_see_individuals_in_analytics(user):
        raise PermissionDenied(_("Your role works on aggregates only: no list of customers."))


CLASS_KEYS = {Method.ABC: [c.value for c in AbcClass], Method.RFM: [s.value for s in RfmSegment]}


def class_members(user: User, *, method: str, key: str) -> QuerySet[CustomerAnalytics]:
    """The stored results of the customers in one ABC class or RFM segment within `user`'s scope,
    best revenue first (party loaded). PermissionDenied for roles without individuals (analysts),
    ValidationFailed for an unknown method or key. Paginate the queryset (`core.api.paginate`)."""
    _require_individuals(user)
    if method not in CLASS_KEYS:
        message = _("Lists exist for ABC classes and RFM segments only.")
        raise ValidationFailed(message, fields={"method": [message]})
    if key not in CLASS_KEYS[Method(method)]:
        message = _("Unknown class or segment %(key)s.") % {"key": key}
        raise ValidationFailed(message, fields={"key": [message]})
    field = "abc_class" if method == Method.ABC else "rfm_segment"
    return (_stored_for_user(user).filter(**{field: key}).select_related("party", "run")
            .order_by("rank", "party_id"))


def customer_results(user: User, party_id: int) -> CustomerAnalytics | None:
    """The customer's latest result; Http404 outside `user`'s portfolio or for roles without
    individuals (analysts), None when the customer has no result yet."""
    if not policies.can_see_individuals_in_analytics(user):
        raise Http404
    party = party_get_for_user(user=user, pk=party_id)
    return CustomerAnalytics.objects.select_related("party", "run").filter(party=party).first()


def customer_trajectory(user: User, party_id: int) -> list[CustomerSnapshot]:
    """The customer's monthly snapshots, oldest first; same access rule as `customer_results`."""
    if not policies.can_see_individuals_in_analytics(user):
        raise Http404
    party = party_get_for_user(user=user, pk=party_id)
    return list(CustomerSnapshot.objects.filter(party=party).order_by("period"))


def snapshot_periods() -> list[dt.date]:
    """The months that have snapshots, oldest first."""
    return list(CustomerSnapshot.objects.order_by("period").values_list("period", flat=True).distinct())


NONE_KEY = "none"


def migration_table(user: User, *, dimension: str, from_period: dt.date, to_period: dt.date) -> dict[str, Any]:
    """How customers of `user`'s scope moved between two monthly snapshots (aggregates only).

    Returns {"dimension", "from_period", "to_period", "keys": [...], "cells": {from: {to: n}}}
    where the key "none" stands for "not analysed that month" (no purchase in its period).
    Periods are normalised to the first day of their month.
    """
    if dimension not in MigrationDimension.values:
        message = _("Unknown dimension %(value)s.") % {"value": dimension}
        raise ValidationFailed(message, fields={"dimension": [message]})
    field = "abc_class" if dimension == MigrationDimension.ABC else "rfm_segment"
    start, end = from_period.replace(day=1), to_period.replace(day=1)
    parties = scope_parties(user)
    snaps = CustomerSnapshot.objects.all()
    if parties is not None:
        snaps = snaps.filter(party__in=parties.values("pk"))
    before = snaps.filter(period=start, party_id=OuterRef("party_id")).values(field)[:1]
    keys = CLASS_KEYS[Method.ABC if dimension == MigrationDimension.ABC else Method.RFM] + [NONE_KEY]
    cells: dict[str, dict[str, int]] = {k: dict.fromkeys(keys, 0) for k in keys}
    for prev, now, n in (snaps.filter(period=end).annotate(prev=Subquery(before)).values_list("prev", field)
                         .annotate(n=Count("pk")).order_by()):
        cells[prev or NONE_KEY][now] += n
    gone = snaps.filter(period=start).exclude(party_id__in=snaps.filter(period=end).values("party_id"))
    for prev, n in gone.values_list(field).annotate(n=Count("pk")).order_by():
        cells[prev][NONE_KEY] += n
    return {"dimension": dimension, "from_period": start, "to_period": end, "keys": keys, "cells": cells}
