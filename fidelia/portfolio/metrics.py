"""Fetch: the customer figures derived criteria and matrices use, aggregated in SQL where the data lives.

Every figure covers the 12 months ending on `as_of` (included) unless said otherwise. No access
check here: callers pass a population already filtered (the run service: the whole base).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from fidelia.parties.models import Party
from fidelia.sales.enums import ContractStatus, ProductKind
from fidelia.sales.models import Contract, Product, Transaction
from fidelia.sales.selectors import equipment_from_rows


def year_before(as_of: dt.date) -> dt.date:
    """The first excluded day of the 12-month window ending on `as_of`."""
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        return as_of.replace(year=as_of.year - 1, day=28)


def fetch_metrics(population: QuerySet[Party], *, as_of: dt.date) -> dict[int, dict[str, Any]]:
    """{party id: {metric: value}} for every party of `population` (five queries, none per party)."""
    rows = list(population.values_list("pk", "kind", "customer_since", "employees"))
    ids = population.values("pk")
    start = year_before(as_of)
    window = Q(date__gt=start)
    # one pass over the customers' transactions: the 12-month figures and the first purchase
    recent = {r["party_id"]: r for r in Transaction.objects.filter(party_id__in=ids, date__lte=as_of)
              .values("party_id").annotate(revenue=Sum("amount", filter=window), margin=Sum("margin", filter=window),
                                           n=Count("id", filter=window), first=Min("date")).order_by()}
    first = {pk: r["first"] for pk, r in recent.items()}
    equipment = _equipment_rates(ids, [(pk, kind) for pk, kind, *_ in rows])
    stored = _stored_analytics(ids)
    metrics: dict[int, dict[str, Any]] = {}
    for pk, _kind, since, employees in rows:
        r = recent.get(pk, {})
        since = since or first.get(pk)
        metrics[pk] = {
            "revenue_12m": float(r.get("revenue") or 0), "margin_12m": float(r.get("margin") or 0),
            "frequency_12m": int(r.get("n") or 0),
            "seniority": (as_of - since).days / 365.25 if since and since <= as_of else None,
            "equipment_rate": equipment.get(pk), "employees": employees,
            "rfm_score": stored[pk][0] if pk in stored else None, "abc_class": stored[pk][1] if pk in stored else None,
        }
    return metrics


def _equipment_rates(ids: QuerySet[Any], kinds: list[tuple[int, str]]) -> dict[int, float | None]:
    """The sales app's equipment-rate rule (`party_equipment_rate`) for many parties at once."""
    relevant: dict[str, list[tuple[int, int, str]]] = {}
    for kind in {k for _, k in kinds}:
        holdable = Contract.objects.filter(party__kind=kind).values("product__family_id")
        relevant[kind] = list(Product.objects.filter(is_active=True, kind=ProductKind.STRATEGIC,
                                                     family_id__in=holdable)
                              .values_list("id", "family_id", "family__name"))
    held: dict[int, set[int]] = defaultdict(set)
    for party_id, product_id in Contract.objects.filter(party_id__in=ids, status=ContractStatus.ACTIVE) \
            .values_list("party_id", "product_id"):
        held[party_id].add(product_id)
    # a customer holding none of the relevant products has rate 0 (None when nothing is relevant)
    empty = {kind: equipment_from_rows(rows, set()).rate for kind, rows in relevant.items()}
    return {pk: equipment_from_rows(relevant[kind], held[pk]).rate if pk in held else empty[kind] for pk, kind in kinds}


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


def yearly_sales(ids: QuerySet[Any], *, year: int) -> dict[tuple[int, int], float]:
    """{(party id, family id): our sales in that year}."""
    rows = (Transaction.objects.filter(party_id__in=ids, date__year=year)
            .values("party_id", "product__family_id").annotate(total=Sum("amount")))
    return {(r["party_id"], r["product__family_id"]): float(r["total"] or 0) for r in rows}


def purchase_dates(ids: QuerySet[Any], *, until: dt.date) -> dict[int, dt.date]:
    """{party id: date of the last purchase on or before `until`}."""
    return dict(Transaction.objects.filter(party_id__in=ids, date__lte=until).values("party_id")
                .annotate(last=Max("date")).values_list("party_id", "last"))


def two_years_revenue(ids: QuerySet[Any], *, until: dt.date) -> dict[int, tuple[float, float]]:
    """{party id: (revenue of the 12 months ending on `until`, revenue of the 12 months before)}."""
    split = year_before(until)
    rows = (Transaction.objects.filter(party_id__in=ids, date__gt=year_before(split), date__lte=until)
            .values("party_id").annotate(recent=Sum("amount", filter=Q(date__gt=split)),
                                         before=Sum("amount", filter=Q(date__lte=split))))
    return {r["party_id"]: (float(r["recent"] or 0), float(r["before"] or 0)) for r in rows}
