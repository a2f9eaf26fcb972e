"""Data-subject rights over the whole base, gathered through every app's privacy hooks."""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.core.errors import DomainError, PermissionDenied, StaleVersion, ValidationFailed
from fidelia.privacy.audit import audit_record
from fidelia.privacy.enums import (
    AuditAction,
    SubjectRequestAction,
    SubjectRequestChannel,
    SubjectRequestKind,
    SubjectRequestStatus,
    SuppressionKind,
)
from fidelia.privacy.models import SubjectRequest, SubjectRequestEvent
from fidelia.privacy.registry import RetentionOutcome, registered
from fidelia.privacy.suppression import suppression_add


def subject_export(*, party_id: int) -> dict[str, Any]:
    """Everything Fidelia holds about one person or organisation, app by app (access/portability).

    The caller has already checked, through the parties selectors, that the user may read the party.
    """
    sections: dict[str, Any] = {}
    for hooks in sorted(registered(), key=lambda h: h.order):
        for name, rows in hooks.export(party_id).items():
            sections[f"{hooks.app_label}.{name}"] = rows
    return {"subject": party_id, "exported_at": timezone.now().isoformat(), "data": sections}


@dataclass
class ErasureReport:
    party_id: int
    erased_at: dt.datetime
    rows: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def subject_erase(*, party_id: int, actor: Any = None) -> ErasureReport:
    """Anonymise a data subject everywhere, all or nothing, and audit it (row counts, no values).

    The caller has checked `policies.can_erase_subject` and that the party exists for the actor.
    """
    report = ErasureReport(party_id=party_id, erased_at=timezone.now())
    for hooks in registered():
        report.rows[hooks.app_label] = hooks.erase(party_id)
    audit_record(action=AuditAction.ERASE, actor=actor, party_id=party_id,
                 fields=["subject_erase", *sorted(f"{app}:{n}" for app, n in report.rows.items())])
    return report


# --- Data-subject requests ------------------------------------------------------------------
# GDPR art. 12(3): answer within one month of receipt; the controller may extend by two further
# months once, telling the person why within the first month. CNIL counts in calendar months.

OPEN_STATUSES = (SubjectRequestStatus.RECEIVED, SubjectRequestStatus.IN_PROGRESS, SubjectRequestStatus.EXTENDED)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus calendar months, clamped to the month's end (31 January + 1 → 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def subject_request_due_on(*, received_on: dt.date, extended: bool = False) -> dt.date:
    """The statutory deadline: one calendar month after receipt, three once extended."""
    return add_months(received_on, 3 if extended else 1)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def _lock(request: SubjectRequest, version: int | None) -> SubjectRequest:
    """The request re-read under a row lock; refused if the caller saw an older version or it is closed."""
    locked = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(_("This request was changed by someone else meanwhile. Reload the page and try again."))
    if locked.status not in OPEN_STATUSES:
        raise DomainError(_("This request is closed: it can no longer change."))
    return locked


def _step(request: SubjectRequest, *, actor: Any, action: str, note: str = "", fields: list[str] | None = None) -> None:
    """The history row and the audit row that go with every change of a request (same transaction)."""
    SubjectRequestEvent.objects.create(request=request, actor=actor, action=action, note=note)
    audit_record(action=AuditAction.REQUEST, actor=actor, obj=request, party_id=request.party_id,
                 fields=["subject_request", f"kind:{request.kind}", f"step:{action}", *(fields or [])])


def _save(request: SubjectRequest, *fields: str) -> SubjectRequest:
    request.version += 1
    request.save(update_fields=[*fields, "version", "updated_at"])
    return request


@transaction.atomic
def subject_request_create(*, actor: Any, kind: str, requester_name: str, received_on: dt.date,
                           channel: str = SubjectRequestChannel.EMAIL, requester_contact: str = "",
                           party_id: int | None = None, notes: str = "") -> SubjectRequest:
    """Register a request as received; the deadline runs from `received_on` (not from today).

    The caller has checked that `actor` may manage requests and may read `party_id`.
    """
    if kind not in SubjectRequestKind.values:
        raise _invalid("kind", _("Choose the kind of request."))
    if channel not in SubjectRequestChannel.values:
        raise _invalid("channel", _("Choose how the request was received."))
    if not (requester_name or "").strip():
        raise _invalid("requester_name", _("Give the name of the person who made the request."))
    if received_on > timezone.localdate():
        raise _invalid("received_on", _("A request cannot be received in the future."))
    request = SubjectRequest.objects.create(
        kind=kind, party_id=party_id, requester_name=requester_name.strip(), requester_contact=requester_contact.strip(),
        channel=channel, received_on=received_on, due_on=subject_request_due_on(received_on=received_on),
        notes=notes.strip(), handled_by=actor,
    )
    _step(request, actor=actor, action=SubjectRequestAction.CREATED, note=notes.strip())
    return request


@transaction.atomic
def subject_request_start(*, request: SubjectRequest, actor: Any, version: int | None = None) -> SubjectRequest:
    """The DPO starts handling a received request and becomes its handler."""
    request = _lock(request, version)
    if request.status != SubjectRequestStatus.RECEIVED:
        raise DomainError(_("Handling of this request has already started."))
    request.status, request.handled_by = SubjectRequestStatus.IN_PROGRESS, actor
    _step(request, actor=actor, action=SubjectRequestAction.STARTED)
    return _save(request, "status", "handled_by")


@transaction.atomic
def subject_request_extend(*, request: SubjectRequest, actor: Any, reason: str, notified_on: dt.date | None,
                           version: int | None = None, today: dt.date | None = None) -> SubjectRequest:
    """Extend the deadline by two months (art. 12(3)): once, before the first deadline, with a reason,
    and only after the person was told (within the first month)."""
    request, today = _lock(request, version), today or timezone.localdate()
    if request.extended:
        raise DomainError(_("The deadline has already been extended once; it cannot be extended again."))
    if today > request.due_on:
        raise DomainError(_("The deadline of %(date)s has passed: a request can only be extended before its deadline.")
                          % {"date": formats.date_format(request.due_on, "SHORT_DATE_FORMAT")})
    if not (reason or "").strip():
        raise _invalid("reason", _("Explain why the request needs more time (complexity or number of requests)."))
    if notified_on is None:
        raise _invalid("notified_on", _("Give the date the person was told of the extension and why."))
    if not request.received_on <= notified_on <= min(today, request.due_on):
        raise _invalid("notified_on", _("The person must be told between receipt and the first deadline, and not in the future."))
    request.extended, request.extension_reason, request.extension_notified_on = True, reason.strip(), notified_on
    request.status = SubjectRequestStatus.EXTENDED
    request.due_on = subject_request_due_on(received_on=request.received_on, extended=True)
    _step(request, actor=actor, action=SubjectRequestAction.EXTENDED, note=reason.strip())
    return _save(request, "extended", "extension_reason", "extension_notified_on", "status", "due_on")


def _suppress_contact_points(request: SubjectRequest) -> int:
    """Objection: the subject's e-mails and phones go on the suppression list (digests only)."""
    data = subject_export(party_id=request.party_id)["data"] if request.party_id else {}
    values = [(SuppressionKind.EMAIL, row.get("address")) for row in data.get("parties.emails", [])]
    values += [(SuppressionKind.PHONE, row.get("number")) for row in data.get("parties.phones", [])]
    added = 0
    for kind, value in values:
        if value:
            added += suppression_add(kind=kind, value=value, reason=f"objection #{request.pk}", request=request)[1]
    return added


@transaction.atomic
def subject_request_complete(*, request: SubjectRequest, actor: Any, outcome: str,
                             version: int | None = None) -> SubjectRequest:
    """Close a request as answered. An objection puts the subject's contact points on the suppression
    list; an erasure anonymises the subject everywhere (the DPO only) — all in one transaction."""
    request = _lock(request, version)
    if not (outcome or "").strip():
        raise _invalid("outcome", _("Describe the answer given to the person."))
    extra: list[str] = []
    if request.kind == SubjectRequestKind.ERASURE:
        if not policies.can_erase_subject(actor):
            raise PermissionDenied(_("Only the data-protection officer may carry out an erasure."))
        if request.party_id is None:
            raise _invalid("outcome", _("Link the request to a customer before erasing."))
        subject_erase(party_id=request.party_id, actor=actor)
        extra.append("erased")
    elif request.kind == SubjectRequestKind.OBJECTION:
        extra.append(f"suppressed:{_suppress_contact_points(request)}")
    request.status, request.outcome, request.closed_on = SubjectRequestStatus.COMPLETED, outcome.strip(), timezone.localdate()
    request.handled_by = request.handled_by or actor
    _step(request, actor=actor, action=SubjectRequestAction.COMPLETED, note=outcome.strip(), fields=extra)
    return _save(request, "status", "outcome", "closed_on", "handled_by")


@transaction.atomic
def subject_request_refuse(*, request: SubjectRequest, actor: Any, reason: str,
                           version: int | None = None) -> SubjectRequest:
    """Close a request as refused (manifestly unfounded or excessive, identity not proven…); the reason
    is kept because it must be given to the person, with their right to complain to the CNIL."""
    request = _lock(request, version)
    if not (reason or "").strip():
        raise _invalid("reason", _("Give the reason for the refusal: it must be told to the person."))
    request.status, request.outcome, request.closed_on = SubjectRequestStatus.REFUSED, reason.strip(), timezone.localdate()
    request.handled_by = request.handled_by or actor
    _step(request, actor=actor, action=SubjectRequestAction.REFUSED, note=reason.strip())
    return _save(request, "status", "outcome", "closed_on", "handled_by")


def subjects_erase_past_policy(*, key: str, party_ids: Any, apply: bool) -> RetentionOutcome:
    """Retention hooks whose action is anonymisation: count the parties (`party_ids`, a queryset of
    ids), and when applying erase each of them through `subject_erase`, one by one."""
    if not apply:
        return RetentionOutcome(key, party_ids.count(), 0)
    ids = list(party_ids)
    for party_id in ids:
        subject_erase(party_id=party_id)
    return RetentionOutcome(key, len(ids), len(ids))
