"""Reads of the privacy app, one section per area (audit, data-subject requests). Every read for
a user is access-checked here; what the user may not see answers 404."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.accounts.enums import SensitiveField
from fidelia.core.models import ActivityEvent
from fidelia.privacy.enums import ActivityAction, AuditAction
from fidelia.privacy.models import AuditEntry, SubjectRequest
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
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 1 <= pk <= 2**63 - 1:  # beyond a bigint the database would fail, not answer "no such row"
        raise Http404
    request = subject_requests_for_user(user).filter(pk=pk).first()
    if request is None:
        raise Http404
    return request


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
    """The requests, each with `deadline_state`, `days_left` and `days_late` set for display (no query)."""
    today = today or timezone.localdate()
    rows = list(requests)
    for request in rows:
        request.deadline_state = deadline_state(request, today=today)
        request.days_left = (request.due_on - today).days
        request.days_late = max(0, -request.days_left)
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


# Audit log
# ---------------------------------------------------------------------------------------------
# Read by administrators and the DPO (`policies.can_view_audit`), checked by the views.


@dataclass(frozen=True)
class AuditFilters:
    """What the audit viewer narrows on; empty values do not filter."""

    username: str = ""
    party_id: int | None = None
    object_type: str = ""
    object_id: int | None = None
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _start_of(day: dt.date) -> dt.datetime:
    # Aware bounds instead of `created_at__date`, so the created_at index serves the period filter.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _by_username(username: str) -> Q:
    """Entries of that user, found by id (indexed: the log may hold millions of rows), and entries
    carrying only that name (failed sign-ins). Case does not matter."""
    ids = list(get_user_model().objects.filter(username__iexact=username).values_list("pk", flat=True))
    return Q(actor_id__in=ids) | Q(actor_id__isnull=True, actor_username__iexact=username)


def audit_entries(*, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Entries matching `filters`, newest first. The caller has checked `policies.can_view_audit`."""
    qs = AuditEntry.objects.all()
    if filters.username:
        qs = qs.filter(_by_username(filters.username.strip()))
    if filters.party_id is not None:
        qs = qs.filter(party_id=filters.party_id)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type.strip().lower())
    if filters.object_id is not None:
        qs = qs.filter(object_id=filters.object_id)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.date_from:
        qs = qs.filter(created_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        qs = qs.filter(created_at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    return qs.order_by("-id")


SUMMARY_COUNT_CAP = 100_000


@dataclass(frozen=True)
class AuditSummary:
    """The chain at a glance, without verifying it (that is `fidelia audit_verify`'s job)."""

    count: int  # exact up to SUMMARY_COUNT_CAP, then the cap + 1 (`is_capped`)
    first_id: int | None
    last_id: int | None
    last_at: dt.datetime | None
    last_retention_at: dt.datetime | None

    @property
    def cap(self) -> int:
        return SUMMARY_COUNT_CAP

    @property
    def is_capped(self) -> bool:
        return self.count > SUMMARY_COUNT_CAP


def audit_summary() -> AuditSummary:
    """A few index-bound queries whatever the size of the log: the count stops at the cap, the
    first and last entries come from the primary key."""
    count = AuditEntry.objects.order_by().values("pk")[: SUMMARY_COUNT_CAP + 1].count()
    first = AuditEntry.objects.order_by("id").values_list("id", flat=True).first()
    last = AuditEntry.objects.order_by("-id").values_list("id", "created_at").first()
    retention = (AuditEntry.objects.filter(action=AuditAction.RETENTION).order_by("-id")
                 .values_list("created_at", flat=True).first())
    return AuditSummary(count=count, first_id=first, last_id=last[0] if last else None,
                        last_at=last[1] if last else None, last_retention_at=retention)


def audit_action_label(action: str) -> str:
    try:
        return str(AuditAction(action).label)
    except ValueError:
        return action


def record_type_label(object_type: str) -> str:
    """"parties.email" → "e-mail" (the model's name in the current language); unknown types as stored."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def with_action_labels(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """The entries, each with `action_label` and `record_label` in the current language (for one
    page: a list, no query)."""
    rows = list(entries)
    for entry in rows:
        entry.action_label = audit_action_label(entry.action)
        entry.record_label = record_type_label(entry.object_type) if entry.object_type else ""
    return rows


def audit_export_table(entries: QuerySet[AuditEntry], *, limit: int) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows (at most `limit`) of an audit export, in the viewer's order, times in the
    current time zone. Plain tuples, not model instances: an export may hold 100,000 rows."""
    header = [_("Time"), _("User"), _("Action"), _("Record type"), _("Record id"), _("Customer id"),
              _("Fields"), _("Channel"), _("Request id")]
    local = timezone.get_current_timezone()
    labels = {value: str(label) for value, label in AuditAction.choices}
    columns = ("created_at", "actor_username", "action", "object_type", "object_id", "party_id", "fields",
               "channel", "request_id")

    def rows() -> Iterator[list[Any]]:
        for at, user, action, otype, oid, party, fields, channel, rid in (
                entries[:limit].values_list(*columns).iterator(chunk_size=5000)):
            yield [at.astimezone(local).replace(microsecond=0).isoformat(), user, labels.get(action, action),
                   otype, oid, party, ", ".join(fields or []), channel, rid]

    return header, rows()


# Change history of a customer
# ---------------------------------------------------------------------------------------------
# The caller has checked, through `parties.selectors.party_get_for_user`, that the user reads the customer.

# Which changes reveal a sensitive value: (record type, field) → the right needed to see them.
SENSITIVE_CHANGES: dict[tuple[str, str], str] = {
    ("parties.party", "income_bracket"): SensitiveField.INCOME_BRACKET,
    ("parties.householdmember", "birth_date"): SensitiveField.CHILDREN_BIRTH_DATES,
    ("sales.transaction", "amount"): SensitiveField.TRANSACTIONS,
    ("sales.transaction", "margin"): SensitiveField.MARGINS,
}


# Life events whose date is a child's birth date (`parties.fields.BIRTH_EVENTS`, by value: this app
# reads other apps' rows by their labels, never their modules).
BIRTH_EVENT_KINDS = frozenset({"birth", "expected_birth"})


def _sensitive_of(event: ActivityEvent, name: str, changes: dict[str, Any]) -> str | None:
    """The sensitive field a change of `name` in `event` reveals, if any."""
    if event.object_type == "parties.lifeevent" and name == "date":
        kind = changes.get("kind")
        kinds = kind if isinstance(kind, list) else [kind]
        return SensitiveField.CHILDREN_BIRTH_DATES if BIRTH_EVENT_KINDS.intersection(kinds) else None
    return SENSITIVE_CHANGES.get((event.object_type, name))


def party_history(*, party_id: int) -> QuerySet[ActivityEvent]:
    """The change history of one customer, newest first. The caller has checked, through
    `parties.selectors.party_get_for_user`, that the user may read that customer."""
    return ActivityEvent.objects.filter(party_id=party_id).select_related("actor").order_by("-created_at", "-id")


@dataclass(frozen=True)
class HistoryChange:
    label: str
    old: str
    new: str
    is_pair: bool  # [old, new]; otherwise a single value recorded with a creation


@dataclass
class HistoryItem:
    event: ActivityEvent
    label: str
    changes: list[HistoryChange] = field(default_factory=list)


def _model_field(object_type: str, name: str) -> models.Field | None:
    """The model field an event's change names; None for keys that are not fields (labels fall back
    to the key) — events outlive the models they describe."""
    try:
        return apps.get_model(object_type)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


# Relations whose target may be named in the history: staff and teams. A related *customer*
# (organisation, parent company) stays a number: the reader may not be allowed to see it.
NAMED_RELATIONS = frozenset({"accounts.user", "accounts.team"})


def _related_label(model_field: models.Field | None) -> str:
    if model_field is None or not model_field.is_relation or model_field.related_model is None:
        return ""
    return model_field.related_model._meta.label_lower


def _names(wanted: dict[str, set[Any]]) -> dict[tuple[str, Any], str]:
    """{(model label, pk): display name} for the staff and teams a page of history mentions —
    one query per model, whatever the number of events."""
    names: dict[tuple[str, Any], str] = {}
    for label, pks in wanted.items():
        for obj in apps.get_model(label).objects.filter(pk__in=pks):
            names[(label, obj.pk)] = str(obj)
    return names


def _display(model_field: models.Field | None, value: Any, names: dict[tuple[str, Any], str]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_display(None, v, names) for v in value) or "—"
    if model_field is not None and getattr(model_field, "flatchoices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field is not None and model_field.is_relation:
        return names.get((_related_label(model_field), value), f"#{value}")
    return str(value)


def _label(model_field: models.Field | None, name: str) -> str:
    return str(model_field.verbose_name) if model_field is not None else name.replace("_", " ")


def _visible_changes(event: ActivityEvent, allowed: frozenset[str]) -> tuple[list[tuple[str, Any]], set[str]]:
    """The (field, value) pairs of `event` the reader may see, and the sensitive fields among them."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    visible, shown = [], set()
    for name, value in changes.items():
        sensitive = _sensitive_of(event, name, changes)
        if sensitive and sensitive not in allowed:
            continue
        if sensitive:
            shown.add(sensitive)
        visible.append((name, value))
    return visible, shown


def history_items(events: Iterable[ActivityEvent], *, user: User) -> tuple[list[HistoryItem], set[str]]:
    """Turn events into what `user` may see, and the sensitive fields whose values are shown.

    A change to a sensitive field the user may not read is left out entirely (its value and
    its label); the caller audits the returned set as one sensitive read.
    """
    allowed = policies.readable_sensitive(user)
    shown: set[str] = set()
    pending: list[tuple[ActivityEvent, list[tuple[models.Field | None, str, Any]]]] = []
    wanted: dict[str, set[Any]] = {}
    for event in events:
        visible, sensitive = _visible_changes(event, allowed)
        shown |= sensitive
        rows = [(_model_field(event.object_type, name), name, value) for name, value in visible]
        for model_field, _name, value in rows:
            if _related_label(model_field) in NAMED_RELATIONS:
                pair = value if isinstance(value, list) else [value]
                wanted.setdefault(_related_label(model_field), set()).update(v for v in pair if isinstance(v, int))
        pending.append((event, rows))
    names = _names(wanted)
    items: list[HistoryItem] = []
    for event, rows in pending:
        try:
            label = str(ActivityAction(event.action).label)
        except ValueError:
            label = event.action
        item = HistoryItem(event=event, label=label)
        for model_field, name, value in rows:
            is_pair = isinstance(value, list) and len(value) == 2
            old, new = value if is_pair else (None, value)
            item.changes.append(HistoryChange(label=_label(model_field, name), old=_display(model_field, old, names),
                                              new=_display(model_field, new, names), is_pair=is_pair))
        items.append(item)
    return items, shown
