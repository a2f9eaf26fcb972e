"""Reads of customer service: every read for a user goes through `case_list_for_user` /
`case_get_for_user` (the portfolio rule of `accounts.policies`); signals for other apps are
whole-base aggregates keyed by party id."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

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


def complaint_signals(*, as_of: dt.date, party_ids: list[int] | None = None) -> dict[int, ComplaintSignals]:
    """Complaint figures per customer as they stood at the end of `as_of` (for attrition and analytics).

    open_complaints: complaints opened by then and not resolved by then; complaints_365d: opened in the
    365 days up to `as_of`; last_category: of the latest complaint opened by then; mean_resolution_hours:
    wall-clock hours from opening to resolution of the complaints of the 365 days resolved by then
    (None when none is resolved); breached_365d: complaints of the 365 days that missed an SLA target.
    Customers without any complaint by then are absent. Two queries whatever the base size; only the
    customers `party_ids` when given (rescoring a few customers).
    """
    end = _end_of(as_of)
    start = end - dt.timedelta(days=365)
    base = Case.objects.filter(kind=CaseKind.COMPLAINT, party__isnull=False, opened_at__lt=end)
    if party_ids is not None:
        base = base.filter(party_id__in=party_ids)
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


# --- queues and time left ---------------------------------------------------------------------

@dataclass(frozen=True)
class SlaState:
    """What an agent reads on a case: which target is running, business seconds left (negative when
    late), and a level: ok, soon, late, paused (waiting on the customer), done or none (no SLA)."""

    target: str
    seconds_left: int | None
    level: str


def sla_state(case: Case, *, now: dt.datetime | None = None) -> SlaState:
    from django.conf import settings

    from fidelia.service.enums import CaseStatus
    from fidelia.service.services import business_calendar
    from fidelia.service.sla import business_seconds_between

    if not case.is_active:
        return SlaState("", None, "done")
    if case.status == CaseStatus.WAITING:
        return SlaState("resolution", None, "paused")
    now = now or timezone.now()
    if case.first_response_at is None and case.first_response_due:
        target, due = "first_response", case.first_response_due
    elif case.resolution_due:
        target, due = "resolution", case.resolution_due
    else:
        return SlaState("", None, "none")
    left = business_seconds_between(business_calendar(), now, due) if due > now else -int((now - due).total_seconds())
    soon = settings.FIDELIA_SERVICE_DUE_SOON_HOURS * 3600
    level = "late" if left < 0 else "soon" if left <= soon else "ok"
    return SlaState(target, left, level)


def case_queue(user: User, *, view: str, q: str = "", kind: str = "", now: dt.datetime | None = None) -> QuerySet[Case]:
    """Active cases of a queue view (`enums.QueueView`), the most urgent first (resolution due date,
    then opening). "team" is the user's team, or the central queue (no team) for agents without one."""
    from django.conf import settings

    from fidelia.service.enums import QueueView

    now = now or timezone.now()
    qs = case_list_for_user(user).filter(status__in=ACTIVE_STATUSES)
    if view == QueueView.MINE:
        qs = qs.filter(owner=user)
    elif view == QueueView.TEAM:
        qs = qs.filter(team_id=user.team_id) if user.team_id else qs.filter(team__isnull=True)
    elif view == QueueView.UNASSIGNED:
        qs = qs.filter(owner__isnull=True)
    elif view == QueueView.BREACHING:
        # wall-clock bound: a case due within N business hours is due within at least N real hours
        soon = now + dt.timedelta(hours=settings.FIDELIA_SERVICE_DUE_SOON_HOURS * 3)
        qs = qs.filter(Q(resolution_due__lt=soon) | Q(first_response_at__isnull=True, first_response_due__lt=soon)
                       | Q(first_response_breached=True) | Q(resolution_breached=True))
    if kind:
        qs = qs.filter(kind=kind)
    if q.strip():
        term = q.strip()[:100]
        qs = qs.filter(Q(reference__iexact=term) | Q(subject__icontains=term) | Q(party__display_name__icontains=term)
                       | Q(sender_email__iexact=term))
    return (qs.select_related("party", "owner", "team")
            .order_by(F("resolution_due").asc(nulls_last=True), "opened_at", "id"))


QUEUE_LABELS = ("kind", "status", "category", "channel", "priority")


def case_queue_rows(cases: list[Case], *, now: dt.datetime | None = None) -> list[Case]:
    """The page's cases ready to display: each gets its `sla` and, as `<field>_label`, the labels
    `get_<field>_display` gives, plus `owner_name`. Labels are looked up once per page, not per row
    (`get_<field>_display` rebuilds and hashes the translated choices at every call)."""
    now = now or timezone.now()
    labels = {name: {value: str(label) for value, label in Case._meta.get_field(name).flatchoices}
              for name in QUEUE_LABELS}
    for case in cases:
        case.sla = sla_state(case, now=now)
        for name in QUEUE_LABELS:
            value = getattr(case, name)
            setattr(case, f"{name}_label", labels[name].get(value, value))
        case.owner_name = case.owner.get_full_name() if case.owner_id else ""
    return cases


def case_history(case: Case) -> list[Any]:
    """Messages and history events of the case, oldest first, for the workspace."""
    from fidelia.service.enums import CaseEventKind, CaseStatus

    events = list(case.events.select_related("actor"))
    labels = dict(CaseStatus.choices)
    for event in events:  # statuses are stored as codes; people read their labels
        if event.kind in {CaseEventKind.CREATED, CaseEventKind.STATUS}:
            event.old_value = str(labels.get(event.old_value, event.old_value))
            event.new_value = str(labels.get(event.new_value, event.new_value))
    return sorted([*case.messages.select_related("author"), *events],
                  key=lambda row: (getattr(row, "sent_at", None) or row.at, row.pk))


def party_cases_for_user(user: User, party_id: int) -> QuerySet[Case]:
    return case_list_for_user(user).filter(party_id=party_id).select_related("owner").order_by("-opened_at", "-id")


def report_scope(user: User) -> Q:
    """Cases the dashboards count for `user`: those they read, or the whole base for analysts
    (aggregates only, no case is listed)."""
    scope = policies.case_read_filter(user) if policies.can_work_cases(user) else None
    if scope is None:
        return Q() if policies.can_view_service_reports(user) else Q(pk__in=[])
    return scope
