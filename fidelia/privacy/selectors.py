"""Reads of the privacy app, one section per area (audit, data-subject requests). Every read for
a user is access-checked here; what the user may not see answers 404."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from fidelia.accounts import policies
from fidelia.privacy.models import SubjectRequest
from fidelia.privacy.services import OPEN_STATUSES

if TYPE_CHECKING:
    from fidelia.accounts.models import User


# Data-subject requests
# ---------------------------------------------------------------------------------------------
# The register is the DPO's: anyone else gets an empty list and 404 on a single request.

DUE_SOON_DAYS = 7


class DeadlineState(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    LATER = "later"
    CLOSED = "closed"


def deadline_state(request: SubjectRequest, *, today: dt.date) -> DeadlineState:
    """Overdue (past `due_on` and still open), due within 7 days, later, or closed."""
    if not request.is_open:
        return DeadlineState.CLOSED
    if request.due_on < today:
        return DeadlineState.OVERDUE
    if (request.due_on - today).days <= DUE_SOON_DAYS:
        return DeadlineState.DUE_SOON
    return DeadlineState.LATER


def subject_requests_for_user(user: User) -> QuerySet[SubjectRequest]:
    if not policies.can_manage_subject_requests(user):
        return SubjectRequest.objects.none()
    return SubjectRequest.objects.select_related("handled_by")


def subject_request_get_for_user(*, user: User, pk: Any) -> SubjectRequest:
    """The request if `user` manages the register; Http404 otherwise."""
    try:
        return subject_requests_for_user(user).get(pk=int(pk))
    except (TypeError, ValueError, SubjectRequest.DoesNotExist):
        raise Http404 from None


def subject_request_list(*, user: User, status: str = "", kind: str = "", deadline: str = "",
                         today: dt.date | None = None) -> QuerySet[SubjectRequest]:
    """The register filtered by status, kind and deadline state ("open" = every open request)."""
    today = today or timezone.localdate()
    qs = subject_requests_for_user(user)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    if deadline == DeadlineState.OVERDUE:
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    elif deadline == DeadlineState.DUE_SOON:
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__gte=today, due_on__lte=soon)
    elif deadline == DeadlineState.LATER:
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__gt=soon)
    return qs.order_by("due_on", "id")


def with_deadlines(requests: Iterable[SubjectRequest], *, today: dt.date | None = None) -> list[SubjectRequest]:
    """The requests, each with `deadline_state` and `days_left` set for display (no query)."""
    today = today or timezone.localdate()
    rows = list(requests)
    for request in rows:
        request.deadline_state = deadline_state(request, today=today)
        request.days_left = (request.due_on - today).days
    return rows


def open_requests_by_deadline(*, today: dt.date | None = None) -> dict[str, list[SubjectRequest]]:
    """Open requests in three buckets, earliest deadline first: overdue, due within 7 days, later."""
    today = today or timezone.localdate()
    buckets: dict[str, list[SubjectRequest]] = {s: [] for s in (DeadlineState.OVERDUE, DeadlineState.DUE_SOON,
                                                                DeadlineState.LATER)}
    open_requests = SubjectRequest.objects.filter(status__in=OPEN_STATUSES).order_by("due_on", "id")
    for request in with_deadlines(open_requests, today=today):
        buckets[request.deadline_state].append(request)
    return buckets
