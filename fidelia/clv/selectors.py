"""Reads of customer value: the customer-days behind a run, and the stored results for a user.

Every read for a user goes through the analytics policies: `analytics_scope_filter` narrows the
customers; names (lists per customer) only for users who may see individuals in analytics.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.http import Http404

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.clv.models import CustomerValue, RetentionEffort, ValueModelRun
from fidelia.parties.models import Party


@dataclass(frozen=True)
class CustomerDays:
    """One row per customer-day with a positive total: party id, day ordinal, amount, margin (euros)."""

    party: np.ndarray
    day: np.ndarray
    amount: np.ndarray
    margin: np.ndarray


def customer_days(*, until: dt.date, party_ids: list[int] | None = None) -> CustomerDays:
    """Live transactions grouped per customer and day in SQL (refund days netted; days ≤ 0 dropped)."""
    where, params = ["t.archived_at IS NULL", "t.date <= %s"], [until]
    if party_ids is not None:
        if not party_ids:
            return CustomerDays(*(np.empty(0, dtype=t) for t in (np.int64, np.int64, float, float)))
        where.append(f"t.party_id IN ({', '.join(['%s'] * len(party_ids))})")
        params.extend(party_ids)
    day = "(t.date - DATE '0001-01-01') + 1" if connection.vendor == "postgresql" else \
        "CAST(julianday(t.date) - julianday('0001-01-01') AS INTEGER) + 1"
    query = f"""
        SELECT t.party_id, {day} AS d, SUM(t.amount), SUM(t.margin)
        FROM sales_transaction t
        WHERE {" AND ".join(where)}
        GROUP BY t.party_id, t.date
        HAVING SUM(t.amount) > 0"""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    if not rows:
        return CustomerDays(*(np.empty(0, dtype=t) for t in (np.int64, np.int64, float, float)))
    party, day_, amount, margin = zip(*rows, strict=True)
    return CustomerDays(np.fromiter(party, np.int64, len(rows)), np.fromiter(day_, np.int64, len(rows)),
                        np.array(amount, dtype=float), np.array(margin, dtype=float))


def efforts_by_party(*, since: dt.date, party_ids: list[int] | None = None) -> dict[int, Decimal]:
    """Retention effort per customer since `since`: recorded gifts/discounts plus campaign costs
    (of the customers `party_ids` only, when given)."""
    efforts = RetentionEffort.objects.filter(date__gte=since)
    if party_ids is not None:
        efforts = efforts.filter(party_id__in=party_ids)
    totals: dict[int, Decimal] = {
        row["party_id"]: row["total"] for row in efforts.values("party_id").annotate(total=Sum("amount"))
    }
    for party_id, cost in _campaign_costs(since=since, party_ids=party_ids).items():
        totals[party_id] = totals.get(party_id, Decimal("0")) + Decimal(cost)
    return totals


def _campaign_costs(*, since: dt.date, party_ids: list[int] | None = None) -> dict[int, Decimal]:
    """Campaign cost per contacted customer from marketing (empty while marketing has none), of
    `party_ids` only when given."""
    try:
        from fidelia.marketing.selectors import retention_effort_by_party
    except ImportError:
        return {}
    return retention_effort_by_party(since=since, party_ids=party_ids)


# --- stored results, for a user ----------------------------------------------------------------

def latest_run() -> ValueModelRun | None:
    return ValueModelRun.objects.order_by("-created_at", "-id").first()


def run_get(*, user: User, pk: int) -> ValueModelRun:
    """A run's diagnostics (no personal data): anyone with analytics; 404 otherwise."""
    if not policies.can_view_analytics(user):
        raise Http404
    run = ValueModelRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def runs_for_user(*, user: User) -> QuerySet[ValueModelRun]:
    if not policies.can_view_analytics(user):
        raise Http404
    return ValueModelRun.objects.order_by("-created_at", "-id")


def values_for_user(*, user: User) -> QuerySet[CustomerValue]:
    """Stored values of the customers in `user`'s analytics scope; 404 without analytics."""
    rule = policies.analytics_scope_filter(user)
    if rule is None:
        raise Http404
    qs = CustomerValue.objects.filter(party__merged_into__isnull=True)
    return qs if rule == Q() else qs.filter(party__in=Party.objects.filter(rule))


def value_list_for_user(*, user: User) -> QuerySet[CustomerValue]:
    """Per-customer values with names: only for users who may see individuals in analytics."""
    if not policies.can_see_individuals_in_analytics(user):
        raise Http404
    return values_for_user(user=user).select_related("party").order_by("-clv_12m", "party_id")


def party_value(*, party: Party) -> CustomerValue | None:
    """The stored value of a party the caller has already checked access to."""
    return CustomerValue.objects.filter(party=party).first()


def party_efforts(*, party: Party) -> QuerySet[RetentionEffort]:
    return RetentionEffort.objects.filter(party=party).order_by("-date", "-id")


def efforts_for_user(*, user: User) -> QuerySet[RetentionEffort]:
    """Retention efforts on the customers `user` may read."""
    rule = policies.party_read_filter(user)
    if rule is None:
        raise Http404
    return RetentionEffort.objects.filter(party__in=Party.objects.filter(rule)).order_by("-date", "-id")


def effort_get_for_user(*, user: User, pk: int) -> RetentionEffort:
    effort = efforts_for_user(user=user).filter(pk=pk).select_related("party").first()
    if effort is None:
        raise Http404
    return effort


HISTOGRAM_EDGES = [0, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]


def dashboard(*, user: User) -> dict[str, Any]:
    """Everything the value dashboard draws, aggregated over `user`'s scope (no names)."""
    qs = values_for_user(user=user)
    totals = qs.aggregate(customers=Count("pk"), clv=Sum("clv_12m"), clv_h=Sum("clv_horizon"),
                          effort=Sum("retention_effort"), capital=Sum("capital"), p_alive=Avg("p_alive"),
                          purchases=Sum("expected_purchases_52w"))
    clv = np.array([float(v) for v in qs.values_list("clv_12m", flat=True)])
    edges = HISTOGRAM_EDGES + [max(float(clv.max()) if clv.size else 0.0, HISTOGRAM_EDGES[-1]) + 1]
    counts, _ = np.histogram(np.clip(clv, 0, None), bins=edges)
    labels = [f"{a:,}–{b:,}" for a, b in zip(HISTOGRAM_EDGES[:-1], HISTOGRAM_EDGES[1:], strict=True)]
    labels.append(f"≥ {HISTOGRAM_EDGES[-1]:,}")
    by_segment = list(qs.filter(party__analytics__isnull=False).values(segment=F("party__analytics__rfm_segment"))
                      .annotate(customers=Count("pk"), clv=Sum("clv_12m"), capital=Sum("capital"))
                      .order_by("-clv"))
    by_abc = list(qs.filter(party__analytics__isnull=False).values(abc=F("party__analytics__abc_class"))
                  .annotate(customers=Count("pk"), clv=Sum("clv_12m"), capital=Sum("capital")).order_by("abc"))
    by_owner = list(qs.values(owner_id=F("party__owner_id"), first=F("party__owner__first_name"),
                              last=F("party__owner__last_name"), username=F("party__owner__username"))
                    .annotate(customers=Count("pk"), clv=Sum("clv_12m"), capital=Sum("capital"))
                    .order_by("-clv")[:20])
    return {"totals": totals, "histogram": {"labels": labels, "counts": counts.tolist()},
            "by_segment": by_segment, "by_abc": by_abc, "by_owner": by_owner,
            "heatmap": heatmap(qs=qs)}


def heatmap(*, qs: QuerySet[CustomerValue]) -> dict[str, Any]:
    """Mean P(alive) by repeat purchases (0..7+) × weeks since the last purchase (bands of 8 weeks)."""
    rows = np.array(list(qs.values_list("frequency", "recency_weeks", "age_weeks", "p_alive")), dtype=float)
    freq_labels = ["0", "1", "2", "3", "4", "5", "6", "7+"]
    bands = [0, 8, 16, 26, 39, 52, 78, 104]
    band_labels = [f"{a}–{b}" for a, b in zip(bands[:-1], bands[1:], strict=True)] + [f"≥ {bands[-1]}"]
    cells = []
    if rows.size:
        f = np.minimum(rows[:, 0], 7).astype(int)
        since = rows[:, 2] - rows[:, 1]
        b = np.clip(np.searchsorted(bands, since, side="right") - 1, 0, len(bands) - 1)
        for i in range(len(freq_labels)):
            for j in range(len(band_labels)):
                sel = (f == i) & (b == j)
                if sel.any():
                    cells.append([j, i, round(float(rows[sel, 3].mean()), 3), int(sel.sum())])
    return {"x": band_labels, "y": freq_labels, "cells": cells}
