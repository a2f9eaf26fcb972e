"""Reads of attrition for a user, through the analytics policies.

Dashboards cover `analytics_scope_filter(user)` (a rep's portfolio; the whole base for analysts and
marketing); individual customers appear only for `can_see_individuals_in_analytics` and within
`party_read_filter`. Pages for users without analytics answer 404.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.attrition import fetch, methods
from fidelia.attrition.enums import AttritionType, LossReason, LoyaltyType, RecordStatus, RunStatus
from fidelia.attrition.models import AttritionRecord, AttritionRisk, ModelRun
from fidelia.attrition.services import settings_get
from fidelia.parties.models import Party
from fidelia.parties.selectors import party_get_for_user

DIMENSIONS = ("all", "segment", "abc", "owner", "channel", "family")


def require_analytics(user: User) -> Q:
    """The user's analytics scope (a Q over Party); 404 for users without analytics."""
    scope = policies.analytics_scope_filter(user)
    if scope is None:
        raise Http404
    return scope


def month_bounds(today: dt.date, months: int) -> list[tuple[dt.date, dt.date]]:
    """The last `months` complete calendar months before `today`: (first day, last day)."""
    out = []
    end = today.replace(day=1) - dt.timedelta(days=1)
    for _i in range(months):
        start = end.replace(day=1)
        out.append((start, end))
        end = start - dt.timedelta(days=1)
    return out[::-1]


@dataclass
class Rates:
    months: list[str]
    groups: list[str]
    base: np.ndarray       # (months, groups)
    churned: np.ndarray

    def rate(self) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.where(self.base > 0, 100.0 * self.churned / np.maximum(self.base, 1), np.nan)


def attrition_rates(*, user: User, today: dt.date, months: int = 12, dimension: str = "all",
                    inactivity_days: int | None = None) -> Rates:
    """Monthly attrition rate by the course's definition, for the customers in the user's scope,
    split by `dimension` (stored RFM segment or ABC class, owner, main channel, main product family)."""
    scope = require_analytics(user)
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    ids = fetch.customer_ids(scope)
    h = fetch.load_history(ids)
    bounds = month_bounds(today, months)
    W = inactivity_days or settings_get().inactivity_days
    if dimension == "all":
        labels, codes = [_("All customers")], np.zeros(len(ids), dtype=np.int64)
    else:
        values = fetch.load_dimensions(ids)[dimension]
        labels = sorted({v or "" for v in values})
        lookup = {v: i for i, v in enumerate(labels)}
        codes = np.array([lookup[v or ""] for v in values], dtype=np.int64)
        labels = [_display(dimension, v) for v in labels]
    base, churned = methods.attrition_rates(h, [(s.toordinal() - 1, e.toordinal()) for s, e in bounds], W,
                                            codes, len(labels))
    return Rates([f"{s:%Y-%m}" for s, _e in bounds], labels, base, churned)


def _display(dimension: str, value: str) -> str:
    if not value:
        return _("(none)")
    if dimension == "segment":
        from fidelia.analytics.enums import RfmSegment

        return str(dict(RfmSegment.choices).get(value, value))
    if dimension == "channel":
        from fidelia.sales.enums import SalesChannel

        return str(dict(SalesChannel.choices).get(value, value))
    return value


def records_for_user(user: User) -> QuerySet[AttritionRecord]:
    return AttritionRecord.objects.filter(party__in=Party.objects.filter(require_analytics(user)))


def records_summary(*, user: User, since: dt.date | None = None) -> dict[str, Any]:
    """Confirmed lost customers by type and by reason (counts), and suggestions waiting."""
    rows = records_for_user(user)
    confirmed = rows.filter(status=RecordStatus.CONFIRMED)
    if since:
        confirmed = confirmed.filter(date__gte=since)
    by_type = dict(confirmed.values_list("type").annotate(n=Count("id")).values_list("type", "n"))
    by_reason = dict(confirmed.values_list("reason").annotate(n=Count("id")).values_list("reason", "n"))
    return {
        "types": [(str(label), by_type.get(value, 0)) for value, label in AttritionType.choices],
        "reasons": [(str(label), by_reason.get(value, 0)) for value, label in LossReason.choices],
        "confirmed": sum(by_type.values()), "suggested": rows.filter(status=RecordStatus.SUGGESTED).count(),
    }


def latest_run() -> ModelRun | None:
    return ModelRun.objects.filter(status=RunStatus.DONE).first()


def risks_for_user(user: User) -> QuerySet[AttritionRisk]:
    return AttritionRisk.objects.filter(party__in=Party.objects.filter(require_analytics(user)))


def loyalty_summary(*, user: User) -> list[dict[str, Any]]:
    """Customers and mean risk per loyalty type within the user's scope."""
    rows = {r["loyalty_type"]: r for r in risks_for_user(user).values("loyalty_type")
            .annotate(n=Count("party_id"), risk=Avg("risk")).order_by()}
    return [{"key": key, "label": str(label), "count": rows.get(key, {}).get("n", 0),
             "risk": rows.get(key, {}).get("risk") or 0.0} for key, label in LoyaltyType.choices]


def at_risk_customers(*, user: User, limit: int = 50, high: float | None = None) -> QuerySet[AttritionRisk] | None:
    """The riskiest customers the user may see by name (None for aggregate-only users)."""
    if not policies.can_see_individuals_in_analytics(user):
        return None
    read = policies.party_read_filter(user)
    if read is None:
        return None
    qs = risks_for_user(user).filter(party__in=Party.objects.filter(read)).select_related("party", "party__owner")
    if high is not None:
        qs = qs.filter(risk__gte=high)
    return qs.order_by("-risk", "party_id")[:limit]


def party_attrition(*, user: User, pk: int) -> dict[str, Any]:
    """The file panel: risk, reasons, loyalty type and lost-customer records; 404 outside the
    user's portfolio or without analytics. `can_write`: whether the user may record a loss."""
    require_analytics(user)
    party = party_get_for_user(user=user, pk=pk)
    write = policies.party_write_filter(user)
    return {
        "party": party,
        "risk": AttritionRisk.objects.filter(party=party).first(),
        "records": list(AttritionRecord.objects.filter(party=party).select_related("contract")),
        "can_write": write is not None and Party.objects.filter(write, pk=party.pk).exists(),
        "settings": settings_get(),
    }
