"""Reads of customer service: every read for a user goes through `case_list_for_user` /
`case_get_for_user` (the portfolio rule of `accounts.policies`); signals for other apps are
whole-base aggregates keyed by party id."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.service.enums import ACTIVE_STATUSES, CaseKind
from fidelia.service.models import Case


@dataclass(frozen=True)
class ComplaintSignals:
    open_complaints: int
    complaints_365d: int
    last_category: str
    mean_resolution_hours: float | None
    breached_365d: int


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def complaint_signals(*, as_of: dt.date) -> dict[int, ComplaintSignals]:
    """Complaint figures per customer as they stood at the end of `as_of` (for attrition and analytics).

    open_complaints: complaints opened by then and not resolved by then; complaints_365d: opened in the
    365 days up to `as_of`; last_category: of the latest complaint opened by then; mean_resolution_hours:
    wall-clock hours from opening to resolution of the complaints of the 365 days resolved by then
    (None when none is resolved); breached_365d: complaints of the 365 days that missed an SLA target.
    Customers without any complaint by then are absent. Two queries whatever the base size.
    """
    end = _end_of(as_of)
    start = end - dt.timedelta(days=365)
    base = Case.objects.filter(kind=CaseKind.COMPLAINT, party__isnull=False, opened_at__lt=end)
    in_year = Q(opened_at__gte=start)
    resolved_by_then = Q(resolved_at__isnull=False, resolved_at__lt=end)
    rows = base.values("party_id").annotate(
        open=Count("id", filter=~resolved_by_then),
        year=Count("id", filter=in_year),
        breached=Count("id", filter=in_year & (Q(first_response_breached=True) | Q(resolution_breached=True))),
        mean=Avg(ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=DurationField()),
                 filter=in_year & resolved_by_then),
    )
    last: dict[int, str] = {}
    for party_id, category in base.order_by("party_id", "-opened_at", "-id").values_list("party_id", "category"):
        last.setdefault(party_id, category)
    out: dict[int, ComplaintSignals] = {}
    for row in rows:
        mean = row["mean"]
        out[row["party_id"]] = ComplaintSignals(
            open_complaints=row["open"], complaints_365d=row["year"], last_category=last.get(row["party_id"], ""),
            mean_resolution_hours=(mean.total_seconds() / 3600 if mean is not None else None),
            breached_365d=row["breached"])
    return out


def case_list_for_user(user: User) -> QuerySet[Case]:
    """Cases `user` may read: the call centre every case; reps and managers the cases of customers
    they read (unknown-sender cases only for the call centre and administrators)."""
    if not policies.can_work_cases(user):
        return Case.objects.none()
    scope = policies.case_read_filter(user)
    if scope is None:
        return Case.objects.none()
    return Case.objects.filter(scope)


def case_get_for_user(user: User, pk: int) -> Case:
    """The case, or 404 when it does not exist or `user` may not read it."""
    case = (case_list_for_user(user).select_related("party", "owner", "team", "contract", "transaction",
                                                   "sla_policy").filter(pk=pk).first())
    if case is None:
        raise Http404
    return case


def open_complaint_parties() -> QuerySet[Case]:
    return Case.objects.filter(kind=CaseKind.COMPLAINT, status__in=ACTIVE_STATUSES, party__isnull=False)
