"""Fetch: the customer figures derived criteria and matrices use, aggregated in SQL where the data lives.

Every figure covers the 12 months ending on `as_of` (included) unless said otherwise. No access
check here: callers pass a population already filtered (the run service: the whole base).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from django.apps import apps
from django.core.exceptions import FieldError
from django.db import connection
from django.db.models import Case, Count, IntegerField, Max, Min, Q, QuerySet, Sum, Value, When

from fidelia.core.bulkread import copy_columns
from fidelia.parties.enums import PartyKind
from fidelia.parties.models import Party
from fidelia.sales.enums import ContractStatus, ProductKind
from fidelia.sales.models import Contract, Product, Transaction

EPOCH = dt.date(1970, 1, 1)  # dates travel as days since this one
NO_DAY = np.iinfo(np.int64).min  # "no date" in such an array


def year_before(as_of: dt.date) -> dt.date:
    """The first excluded day of the 12-month window ending on `as_of`."""
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        return as_of.replace(year=as_of.year - 1, day=28)


def fetch_metrics(population: QuerySet[Party], *, as_of: dt.date) -> dict[int, dict[str, Any]]:
    """{party id: {metric: value or None}} for every party of `population` (a few queries, none per party)."""
    return fetch_metric_columns(population, as_of=as_of).as_dicts()


@dataclass(frozen=True)
class MetricColumns:
    """The metrics of a population as column arrays, in the population's order (that of `fetch_metrics`).

    `ids` are the party ids (int64); `values[metric]` a float64 array with NaN where the value is
    missing (no seniority, no headcount, no stored RFM…). `positions` finds parties by id.
    """

    ids: np.ndarray
    values: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def sorter(self) -> np.ndarray:
        """Indexes that sort `ids` (to find parties by id with a binary search)."""
        return np.argsort(self.ids, kind="stable")

    def positions(self, keys: np.ndarray) -> np.ndarray:
        """Index of each id of `keys` in `ids`, -1 for an id not in the population."""
        sorter = self.sorter
        ordered = self.ids[sorter]
        at = np.searchsorted(ordered, keys).clip(0, max(len(ordered) - 1, 0))
        found = (ordered[at] == keys) if len(ordered) else np.zeros(len(keys), dtype=bool)
        return np.where(found, sorter[at] if len(ordered) else -1, -1)

    def metric(self, name: str) -> np.ndarray:
        return self.values[name]

    def as_dicts(self) -> dict[int, dict[str, Any]]:
        """{party id: {metric: value or None}}, the shape `fetch_metrics` returns."""
        columns = {name: [None if v != v else v for v in array.tolist()] for name, array in self.values.items()}
        for name in ("frequency_12m", "employees"):
            columns[name] = [None if v is None else int(v) for v in columns[name]]
        names = list(columns)
        return {pk: dict(zip(names, row, strict=True))
                for pk, *row in zip(self.ids.tolist(), *columns.values(), strict=True)}


METRIC_NAMES = ("revenue_12m", "margin_12m", "frequency_12m", "seniority", "equipment_rate", "employees", "rfm_score",
                "abc_class")


def fetch_metric_columns(population: QuerySet[Party], *, as_of: dt.date) -> MetricColumns:
    """The figures of `fetch_metrics` as arrays: a handful of queries, no Python object per party or
    transaction on PostgreSQL (the rows are streamed out with COPY)."""
    kinds = list(PartyKind.values)

    def null_flag(field: str) -> Case:
        return Case(When(**{f"{field}__isnull": True}, then=Value(1)), default=Value(0), output_field=IntegerField())

    # numbers only through COPY → Arrow: the kind as its index in `kinds`, NULLs as flags
    coded = population.annotate(
        kind_no=Case(*(When(kind=k, then=Value(i)) for i, k in enumerate(kinds)), default=Value(-1),
                     output_field=IntegerField()),
        since_null=null_flag("customer_since"), employees_null=null_flag("employees"))
    ids, kind_no, since, since_null, employees, employees_null = query_columns(
        coded.values_list("pk", "kind_no", "customer_since", "since_null", "employees", "employees_null"),
        ["int", "int", "day", "int", "int", "int"])
    columns = MetricColumns(ids=ids, values={})
    population_ids = population.values("pk")
    revenue, margin, count, first = _transaction_columns(population_ids, columns, as_of=as_of)
    # seniority from "customer since", else from the first purchase
    start = np.where(since_null == 0, since, first)
    today = (as_of - EPOCH).days
    known = (start != NO_DAY) & (start <= today)
    seniority = np.where(known, (today - np.where(known, start, today)) / 365.25, np.nan)
    equipment = _equipment_columns(population_ids, columns, kind_no, kinds)
    rfm, abc = _stored_analytics_columns(population_ids, columns)
    columns.values.update({"revenue_12m": revenue, "margin_12m": margin, "frequency_12m": count,
                           "seniority": seniority, "equipment_rate": equipment,
                           "employees": np.where(employees_null > 0, np.nan, employees.astype(np.float64)),
                           "rfm_score": rfm, "abc_class": abc})
    return columns


def _transaction_columns(ids: QuerySet[Any], columns: MetricColumns, *, as_of: dt.date,
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Revenue, margin and purchases of the 12 months to `as_of` and the day of the first purchase (days
    since 1970-01-01, NO_DAY for none), per party of `columns` (0 for a party without purchase)."""
    n = len(columns)
    revenue, margin, count, first = np.zeros(n), np.zeros(n), np.zeros(n), np.full(n, NO_DAY, dtype=np.int64)
    window = Q(date__gt=year_before(as_of))
    # one pass over the customers' transactions: the 12-month figures and the first purchase
    party, rev, mar, cnt, day = query_columns(
        Transaction.objects.filter(party_id__in=ids, date__lte=as_of).values("party_id")
        .annotate(revenue=Sum("amount", filter=window), margin=Sum("margin", filter=window),
                  n=Count("id", filter=window), first=Min("date")).order_by()
        .values_list("party_id", "revenue", "margin", "n", "first"), ["int", "float", "float", "int", "day"],
        work_mem="256MB")
    at = columns.positions(party)
    keep = at >= 0
    at = at[keep]
    revenue[at], margin[at], count[at], first[at] = rev[keep], mar[keep], cnt[keep], day[keep]
    return revenue, margin, count, first


def _equipment_columns(ids: QuerySet[Any], columns: MetricColumns, kind_no: np.ndarray,
                       kinds: list[str]) -> np.ndarray:
    """The sales app's equipment-rate rule (`party_equipment_rate`) for every party of `columns`:
    active relevant strategic products held / relevant ones for the party's kind, NaN when none is."""
    rates = np.full(len(columns), np.nan)
    for i in np.unique(kind_no).tolist():
        if i < 0:
            continue
        kind = kinds[i]
        holdable = Contract.objects.filter(party__kind=kind).values("product__family_id")
        relevant = set(Product.objects.filter(is_active=True, kind=ProductKind.STRATEGIC, family_id__in=holdable)
                       .values_list("id", flat=True))
        if not relevant:
            continue
        party, _product = query_columns(
            Contract.objects.filter(party_id__in=ids, party__kind=kind, status=ContractStatus.ACTIVE,
                                    product_id__in=relevant)
            .values_list("party_id", "product_id").distinct().order_by(), ["int", "int"])
        counts = np.zeros(len(columns), dtype=np.int64)
        at = columns.positions(party)
        np.add.at(counts, at[at >= 0], 1)
        mine = kind_no == i
        rates[mine] = counts[mine] / len(relevant)
    return rates


def _stored_analytics_columns(ids: QuerySet[Any], columns: MetricColumns) -> tuple[np.ndarray, np.ndarray]:
    """`_stored_analytics` as two arrays (RFM score, ABC points), NaN where nothing is stored."""
    rfm, abc = np.full(len(columns), np.nan), np.full(len(columns), np.nan)
    stored = _stored_analytics(ids)
    if stored:
        keys = np.fromiter(stored, dtype=np.int64, count=len(stored))
        values = list(stored.values())
        at = columns.positions(keys)
        keep = at >= 0
        rfm[at[keep]] = np.array([v[0] for v in values], dtype=np.float64)[keep]
        abc[at[keep]] = np.array([np.nan if v[1] is None else v[1] for v in values], dtype=np.float64)[keep]
    return rfm, abc


ABC_POINTS = {"A": 3.0, "B": 2.0, "C": 1.0}


def _stored_analytics(ids: QuerySet[Any]) -> dict[int, tuple[float, float | None]]:
    """{party id: (RFM score = mean of the R, F and M scores, ABC class as 3/2/1)} from the results the
    analytics app stores (`CustomerAnalytics`), {} before it has run.

    Read by name so that portfolio management works before and without those results.
    """
    try:
        model = apps.get_model("analytics", "CustomerAnalytics")
        rows = model.objects.filter(party_id__in=ids).values_list("party_id", "r_score", "f_score", "m_score",
                                                                  "abc_class")
        return {pk: ((r + f + m) / 3, ABC_POINTS.get(abc)) for pk, r, f, m, abc in rows}
    except (LookupError, FieldError, ValueError, TypeError):
        return {}


def query_columns(query: Any, types: list[str], *, work_mem: str | None = None) -> list[np.ndarray]:
    """The columns of a `values_list` query as arrays typed by `types` ("int", "float", "day" = days since
    1970-01-01); NULL becomes 0. Streamed out with COPY on PostgreSQL."""
    if connection.vendor == "postgresql":
        import pyarrow as pa

        arrow = {"int": pa.int64(), "float": pa.float64(), "day": pa.date32()}
        sql, params = query.query.sql_with_params()
        got = copy_columns(sql, list(params), types=[arrow[t] for t in types], work_mem=work_mem)
        if got is None:
            return [np.zeros(0, dtype=np.float64 if t == "float" else np.int64) for t in types]
        return [c.astype(np.int64) if t == "day" else c for c, t in zip(got, types, strict=True)]
    rows = list(query)
    convert = {"int": lambda v: int(v or 0), "float": lambda v: float(v or 0),
               "day": lambda v: (v - EPOCH).days if v else 0}
    return [np.array([convert[t](r[i]) for r in rows], dtype=np.float64 if t == "float" else np.int64)
            for i, t in enumerate(types)]


def lookup(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Index in `keys` of each value of `wanted`, -1 where absent."""
    if not len(keys):
        return np.full(len(wanted), -1, dtype=np.int64)
    sorter = np.argsort(keys, kind="stable")
    at = np.searchsorted(keys, wanted, sorter=sorter).clip(0, len(keys) - 1)
    return np.where(keys[sorter[at]] == wanted, sorter[at], -1)


def yearly_sales(ids: QuerySet[Any], *, year: int) -> list[np.ndarray]:
    """(party id, family id, our sales in that year) arrays, one entry per party and family bought."""
    return query_columns(Transaction.objects.filter(party_id__in=ids, date__year=year, product__family__isnull=False)
                         .values("party_id", "product__family_id").annotate(total=Sum("amount")).order_by()
                         .values_list("party_id", "product__family_id", "total"), ["int", "int", "float"])


def purchases_until(ids: QuerySet[Any], *, until: dt.date) -> list[np.ndarray]:
    """In one pass over the purchases on or before `until`, per party who made one: (party id, day of the
    last purchase in days since 1970-01-01, revenue of the 12 months ending on `until`, revenue of the
    12 months before) arrays."""
    split = year_before(until)
    return query_columns(Transaction.objects.filter(party_id__in=ids, date__lte=until).values("party_id")
                         .annotate(last=Max("date"), recent=Sum("amount", filter=Q(date__gt=split)),
                                   before=Sum("amount", filter=Q(date__gt=year_before(split), date__lte=split)))
                         .order_by().values_list("party_id", "last", "recent", "before"),
                         ["int", "day", "float", "float"], work_mem="256MB")
