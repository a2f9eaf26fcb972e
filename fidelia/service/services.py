"""Writes of customer service: `case_<verb>` services, keyword-only and atomic.

Every change writes a `CaseEvent` (the case's own history) and an audit row (`core.events.record`) in
the same transaction; replies and notes also land in the customer's interaction timeline. Replies are
sent through Django's e-mail backend inside the transaction: when the SMTP server refuses the message
nothing is recorded and the agent sees the error.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.accounts.enums import Role
from fidelia.accounts.models import Team, User
from fidelia.core import events
from fidelia.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from fidelia.core.signals import send_after_commit
from fidelia.interactions.enums import Direction, InteractionChannel
from fidelia.interactions.services import interaction_log
from fidelia.parties.models import Party
from fidelia.service import sla
from fidelia.service.enums import (
    ACTIVE_STATUSES,
    STATUS_FLOW,
    CaseCategory,
    CaseChannel,
    CaseEventKind,
    CaseKind,
    CasePriority,
    CaseStatus,
    MessageKind,
    SlaSegment,
)
from fidelia.service.models import Case, CaseEvent, CaseMessage, ReplyTemplate, SlaPolicy
from fidelia.service.signals import complaints_changed

log = logging.getLogger(__name__)

REFERENCE_PREFIX = "CAS"


def business_calendar() -> sla.BusinessCalendar:
    """The calendar of the settings (FIDELIA_SERVICE_HOURS, FIDELIA_SERVICE_TIMEZONE, French holidays)."""
    return _calendar(settings.FIDELIA_SERVICE_HOURS, settings.FIDELIA_SERVICE_TIMEZONE)


def business_calendar_description() -> str:
    """The configured weekly hours as written in the settings, for the SLA page."""
    return f"{settings.FIDELIA_SERVICE_HOURS} ({settings.FIDELIA_SERVICE_TIMEZONE})"


_CALENDARS: dict[tuple[str, str], sla.BusinessCalendar] = {}


def _calendar(spec: str, tz: str) -> sla.BusinessCalendar:
    key = (spec, tz)
    if key not in _CALENDARS:
        _CALENDARS[key] = sla.BusinessCalendar.from_spec(spec, tz)
    return _CALENDARS[key]


def case_reference(pk: int, year: int) -> str:
    return f"{REFERENCE_PREFIX}-{year}-{pk:06d}"


def _history(case: Case, *, actor: User | None, kind: str, old: Any = "", new: Any = "", detail: str = "",
             at: dt.datetime | None = None) -> None:
    CaseEvent.objects.create(case=case, at=at or timezone.now(), actor=actor if getattr(actor, "pk", None) else None,
                             kind=kind, old_value=str(old or "")[:60], new_value=str(new or "")[:60],
                             detail=detail[:300])


def _check_version(case: Case, version: int | None) -> None:
    if version is not None and version != case.version:
        raise StaleVersion(_("This case was changed by someone else; reload it and try again."))


def _require_worker(actor: User) -> None:
    if not policies.can_work_cases(actor):
        raise PermissionDenied(_("You may not work on service cases."))


def _segment(party: Party | None) -> str:
    if party is None:
        return ""
    from fidelia.analytics.models import CustomerAnalytics

    return CustomerAnalytics.objects.filter(party=party).values_list("abc_class", flat=True).first() or ""


def sla_policy_for(*, priority: str, party: Party | None) -> SlaPolicy | None:
    """The active policy of `priority` for the customer's ABC class, else the one for every customer."""
    segment = _segment(party)
    rows = {p.segment: p for p in SlaPolicy.objects.filter(priority=priority, is_active=True,
                                                           segment__in={segment, SlaSegment.ANY})}
    return rows.get(segment) or rows.get(SlaSegment.ANY)


def _apply_sla(case: Case) -> None:
    policy = sla_policy_for(priority=case.priority, party=case.party)
    case.sla_policy = policy
    if policy is None:
        case.first_response_due = case.resolution_due = None
        return
    cal = business_calendar()
    case.first_response_due = sla.add_business_seconds(cal, case.opened_at, float(policy.first_response_hours) * 3600)
    case.resolution_due = sla.add_business_seconds(
        cal, case.opened_at, float(policy.resolution_hours) * 3600 + case.paused_seconds)


def _clean_case_fields(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    choices = {"kind": CaseKind, "category": CaseCategory, "priority": CasePriority, "channel": CaseChannel}
    for name, enum in choices.items():
        if name in values and values[name] not in enum.values:
            errors[name] = [_("Unknown value %(value)r.") % {"value": values[name]}]
    if "subject" in values:
        values["subject"] = (values["subject"] or "").strip()
        if not values["subject"]:
            errors["subject"] = [_("The subject is required.")]
        elif len(values["subject"]) > 200:
            errors["subject"] = [_("The subject must be at most 200 characters.")]
    return errors


@transaction.atomic
def case_create(*, actor: User | None, subject: str, party: Party | None = None, kind: str = CaseKind.REQUEST,
                category: str = CaseCategory.OTHER, priority: str = CasePriority.NORMAL,
                channel: str = CaseChannel.PHONE, description: str = "", owner: User | None = None,
                team: Team | None = None, contract: Any = None, transaction_row: Any = None,
                sender_email: str = "", opened_at: dt.datetime | None = None) -> Case:
    """Open a case (status new) with its reference `CAS-<year>-<id>` and SLA due dates.

    `actor` None is the inbound mail listener. A case without a customer must keep the sender's
    address (`sender_email`) and is flagged `sender_unknown`. Contract and transaction must belong
    to the customer."""
    if actor is not None:
        _require_worker(actor)
    values = {"subject": subject, "kind": kind, "category": category, "priority": priority, "channel": channel}
    errors = _clean_case_fields(values)
    if party is None and not sender_email:
        errors["party"] = [_("Choose the customer (or keep the sender's address).")]
    for name, row in (("contract", contract), ("transaction", transaction_row)):
        if row is not None and (party is None or row.party_id != party.pk):
            errors[name] = [_("This %(what)s is not the customer's.") % {"what": name}]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    now = timezone.now()
    case = Case(reference=f"tmp-{uuid.uuid4().hex[:16]}", party=party, sender_email=sender_email[:254],
                sender_unknown=party is None, contract=contract, transaction=transaction_row,
                description=description, owner=owner, team=team or (party.team if party else None),
                opened_at=opened_at or now, created_by=actor if getattr(actor, "pk", None) else None, **values)
    _apply_sla(case)
    case.save()
    # the id makes the reference unique without a sequence table or a race between workers
    case.reference = case_reference(case.pk, case.opened_at.year)
    Case.objects.filter(pk=case.pk).update(reference=case.reference)
    _history(case, actor=actor, kind=CaseEventKind.CREATED, new=case.status, at=case.opened_at,
             detail=f"{case.get_kind_display()} · {case.get_category_display()}")
    events.record(actor=actor, action="case.created", obj=case, party_id=case.party_id,
                  changes={"kind": case.kind, "category": case.category, "priority": case.priority})
    if case.kind == CaseKind.COMPLAINT and case.party_id:
        transaction.on_commit(lambda: _propose_complaint_action(case.pk))
        send_after_commit(complaints_changed, party_ids=[case.party_id], case_ids=[case.pk])
    return case


UPDATABLE = ("kind", "category", "priority", "channel", "subject", "description", "team", "contract",
             "transaction", "party")


@transaction.atomic
def case_update(*, case: Case, actor: User, version: int | None, **changes: Any) -> Case:
    """Change the fields of `UPDATABLE` (others are refused). Linking a customer to an unknown sender's
    case clears the flag; a priority change recomputes the SLA due dates from the opening."""
    _require_worker(actor)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, version)
    errors = _clean_case_fields(changes)
    party = changes.get("party", case.party)
    for name in ("contract", "transaction"):
        row = changes.get(name, getattr(case, name))
        if row is not None and (party is None or row.party_id != party.pk):
            errors[name] = [_("This %(what)s is not the customer's.") % {"what": name}]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    diff: dict[str, list[Any]] = {}
    for name, value in changes.items():
        old = getattr(case, name)
        if old != value:
            diff[name] = [getattr(old, "pk", old), getattr(value, "pk", value)]
            setattr(case, name, value)
    if not diff:
        return case
    if "party" in diff and case.party is not None:
        case.sender_unknown = False
    if "priority" in diff or "party" in diff:
        _apply_sla(case)
    case.version += 1
    case.save()
    for name, (old, new) in diff.items():
        _history(case, actor=actor, kind=CaseEventKind.UPDATED, old=old, new=new, detail=name)
    events.record(actor=actor, action="case.updated", obj=case, party_id=case.party_id, changes=diff)
    return case


@transaction.atomic
def case_assign(*, case: Case, owner: User | None, actor: User, version: int | None = None) -> Case:
    """Give the case to `owner` (None: back to the queue); a new case becomes open when someone takes it."""
    _require_worker(actor)
    if owner is not None and not policies.can_work_cases(owner):
        raise ValidationFailed(_("This user does not work on service cases."), fields={"owner": [_("Not an agent.")]})
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, version)
    old = case.owner
    if old == owner:
        return case
    case.owner = owner
    if owner is not None and case.status == CaseStatus.NEW:
        case.status = CaseStatus.OPEN
        _history(case, actor=actor, kind=CaseEventKind.STATUS, old=CaseStatus.NEW, new=CaseStatus.OPEN)
    case.version += 1
    case.save()
    _history(case, actor=actor, kind=CaseEventKind.ASSIGNED, old=old or "", new=owner or "")
    events.record(actor=actor, action="case.assigned", obj=case, party_id=case.party_id,
                  changes={"owner": [getattr(old, "pk", None), getattr(owner, "pk", None)]})
    return case


def case_take(*, case: Case, actor: User, version: int | None = None) -> Case:
    """The agent takes the case from the queue."""
    return case_assign(case=case, owner=actor, actor=actor, version=version)


@transaction.atomic
def case_change_status(*, case: Case, status: str, actor: User | None, version: int | None = None,
                       at: dt.datetime | None = None, ask_satisfaction: bool = True) -> Case:
    """Move the case along the workflow (`enums.STATUS_FLOW`); anything else is refused.

    Waiting on the customer pauses the resolution clock: leaving it moves the resolution due date by
    the business time spent waiting. Resolving records the time and, after commit, sends the CSAT
    survey (when the surveys app offers it, unless `ask_satisfaction` is off, e.g. when loading history);
    reopening counts and restarts the clock."""
    if actor is not None:
        _require_worker(actor)
    if status not in CaseStatus.values:
        raise ValidationFailed(_("Unknown status."), fields={"status": [_("Unknown value %(value)r.") % {"value": status}]})
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, version)
    if status == case.status:
        return case
    if status not in STATUS_FLOW[case.status]:
        message = _("A case cannot go from “%(old)s” to “%(new)s”.") % {
            "old": case.get_status_display(), "new": CaseStatus(status).label}
        raise ValidationFailed(message, fields={"status": [message]})
    now = at or timezone.now()
    old = case.status
    if old == CaseStatus.WAITING and case.waiting_since:
        paused = max(0, sla.business_seconds_between(business_calendar(), case.waiting_since, now))
        case.paused_seconds += paused
        if case.resolution_due:
            case.resolution_due = sla.add_business_seconds(business_calendar(), case.resolution_due, paused)
        case.waiting_since = None
    if status == CaseStatus.WAITING:
        case.waiting_since = now
    if status == CaseStatus.RESOLVED:
        case.resolved_at = now
    elif status == CaseStatus.CLOSED:
        case.closed_at = now
    elif status == CaseStatus.REOPENED:
        case.reopen_count += 1
        case.resolved_at = case.closed_at = None
        case.resolution_breached = False
        case.resolution_due = (sla.add_business_seconds(business_calendar(), now,
                                                        float(case.sla_policy.resolution_hours) * 3600)
                               if case.sla_policy else None)
    case.status = status
    case.version += 1
    case.save()
    _history(case, actor=actor, kind=CaseEventKind.STATUS, old=old, new=status, at=now)
    events.record(actor=actor, action="case.status", obj=case, party_id=case.party_id, changes={"status": [old, status]})
    if case.kind == CaseKind.COMPLAINT:
        send_after_commit(complaints_changed, party_ids=[case.party_id], case_ids=[case.pk])
    if status == CaseStatus.RESOLVED and case.party_id and ask_satisfaction:
        transaction.on_commit(lambda: case_send_csat(case_id=case.pk, actor_id=getattr(actor, "pk", None)))
    return case


def case_send_csat(*, case_id: int, actor_id: int | None) -> object | None:
    """Ask the customer for their satisfaction about the resolved case (surveys' CSAT); None when the
    surveys app does not offer it yet or the customer has no usable e-mail. Never fails the resolution."""
    try:
        from fidelia.surveys.services import survey_send_csat  # type: ignore[attr-defined]
    except ImportError:
        return None
    case = Case.objects.select_related("party").get(pk=case_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        return survey_send_csat(party=case.party, reference=f"case:{case.pk}", actor=actor)
    except Exception:  # the case is resolved whatever happens to the survey e-mail
        log.exception("CSAT survey for case %s could not be sent", case_id)
        return None


def _first_response(case: Case, now: dt.datetime) -> None:
    if case.first_response_at is None:
        case.first_response_at = now
        if case.first_response_due and now > case.first_response_due:
            case.first_response_breached = True


def _addressee(case: Case) -> str:
    party = case.party
    if party is None:
        return case.sender_email
    # "Claire Dupont" in a letter rather than the file's sort form "Claire DUPONT"
    full = f"{party.first_name} {party.last_name.title()}".strip()
    return full if party.first_name and party.last_name else party.display_name


def render_template(template: ReplyTemplate | str, *, case: Case, agent: User | None) -> str:
    """Fill the placeholders of a reply template; unknown ones are left as written."""
    body = template.body if isinstance(template, ReplyTemplate) else template
    values = {
        "customer_name": _addressee(case),
        "case_reference": case.reference, "case_subject": case.subject,
        "agent_name": (agent.get_full_name() or agent.get_username()) if agent else "",
    }
    for key, value in values.items():
        body = body.replace("{" + key + "}", value)
    return body


def _recipient(case: Case) -> str:
    if case.party is not None:
        from fidelia.parties.models import Email

        primary = (Email.objects.filter(party=case.party).order_by("-is_primary", "id")
                   .values_list("address", flat=True).first())
        return case.party.email or primary or case.sender_email
    return case.sender_email


def _thread_ids(case: Case) -> list[str]:
    return [m for m in case.messages.exclude(message_id="").order_by("sent_at", "id")
            .values_list("message_id", flat=True)][-20:]


def subject_with_reference(case: Case, subject: str | None = None) -> str:
    base = subject or case.subject
    tag = f"[{case.reference}]"
    return base if tag in base else f"{tag} {base}"


@transaction.atomic
def case_reply(*, case: Case, body: str, actor: User, version: int | None = None,
               template: ReplyTemplate | None = None, status: str | None = None) -> CaseMessage:
    """E-mail a reply to the customer (subject tagged `[CAS-…]`, Message-ID and References threading the
    conversation), record it on the case and in the customer's timeline, stamp the first response, and
    optionally move the case (e.g. to waiting on the customer). Refused when there is no address."""
    _require_worker(actor)
    case = Case.objects.select_for_update(of=("self",)).select_related("party").get(pk=case.pk)
    _check_version(case, version)
    text = render_template(body, case=case, agent=actor).strip()
    if not text:
        raise ValidationFailed(_("Write the reply."), fields={"body": [_("The reply is empty.")]})
    to = _recipient(case)
    if not to:
        raise ValidationFailed(_("The customer has no e-mail address."), fields={"body": [_("No address.")]})
    now = timezone.now()
    domain = settings.FIDELIA_SERVICE_FROM_EMAIL.rpartition("@")[2] or "fidelia.local"
    message_id = f"<{case.reference}.{uuid.uuid4().hex[:12]}@{domain}>"
    thread = _thread_ids(case)
    headers = {"Message-ID": message_id}
    if thread:
        headers["In-Reply-To"] = thread[-1]
        headers["References"] = " ".join(thread)
    subject = subject_with_reference(case, _("Re: %(subject)s") % {"subject": case.subject})
    msg = CaseMessage.objects.create(case=case, kind=MessageKind.OUTBOUND, author=actor,
                                     from_address=settings.FIDELIA_SERVICE_FROM_EMAIL, to_address=to,
                                     subject=subject[:200], body_text=text, message_id=message_id,
                                     in_reply_to=headers.get("In-Reply-To", ""), sent_at=now)
    _first_response(case, now)
    case.version += 1
    case.save()
    _history(case, actor=actor, kind=CaseEventKind.REPLY, detail=subject[:300], at=now)
    events.record(actor=actor, action="case.replied", obj=case, party_id=case.party_id,
                  changes={"template": getattr(template, "pk", None)})
    if case.party is not None:
        interaction_log(party=case.party, actor=actor, channel=InteractionChannel.EMAIL,
                        direction=Direction.OUTBOUND, subject=subject[:200], report=text, occurred_at=now)
    if status:
        case_change_status(case=case, status=status, actor=actor)
    # last: an SMTP refusal rolls back the whole reply
    EmailMessage(subject=subject, body=text, from_email=settings.FIDELIA_SERVICE_FROM_EMAIL, to=[to],
                 headers=headers).send(fail_silently=False)
    return msg


@transaction.atomic
def case_add_note(*, case: Case, body: str, actor: User) -> CaseMessage:
    """An internal note on the case (never sent); also shown in the customer's timeline, marked internal."""
    _require_worker(actor)
    text = (body or "").strip()
    if not text:
        raise ValidationFailed(_("Write the note."), fields={"body": [_("The note is empty.")]})
    if len(text) > 20000:
        raise ValidationFailed(_("The note is too long."), fields={"body": [_("At most 20,000 characters.")]})
    now = timezone.now()
    msg = CaseMessage.objects.create(case=case, kind=MessageKind.NOTE, author=actor, body_text=text, sent_at=now,
                                     subject=_("Internal note"))
    Case.objects.filter(pk=case.pk).update(version=case.version + 1, updated_at=now)
    case.version += 1
    _history(case, actor=actor, kind=CaseEventKind.NOTE, detail=text[:300], at=now)
    events.record(actor=actor, action="case.noted", obj=case, party_id=case.party_id)
    if case.party is not None:
        interaction_log(party=case.party, actor=actor, channel=InteractionChannel.CALL_CENTRE,
                        direction=Direction.OUTBOUND,
                        subject=(_("Internal note — %(ref)s") % {"ref": case.reference})[:200],
                        report=text, occurred_at=now, internal=True)
    return msg


@transaction.atomic
def case_erase_content(*, case: Case, actor: User | None) -> None:
    """Anonymise a case for an erasure request: subject, description, sender and every message's
    content are blanked; figures (dates, category, SLA) stay for the statistics."""
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(subject=_("(anonymised)"), description="", sender_email="", erased_at=now)
    CaseMessage.objects.filter(case=case).update(from_address="", to_address="", subject="", body_text="",
                                                 body_html="", attachments=[])
    CaseEvent.objects.filter(case=case, kind__in=[CaseEventKind.NOTE, CaseEventKind.REPLY,
                                                   CaseEventKind.CREATED]).update(detail="")
    from fidelia.service.models import InboundEmail

    InboundEmail.objects.filter(case=case).update(raw=b"", subject="", mail_from="", recipients="")
    _history(case, actor=actor, kind=CaseEventKind.ERASED, at=now)


# --- SLA watch and signals ---------------------------------------------------------------------

def _manager_of(case: Case) -> User | None:
    team_id = case.team_id or (case.party.team_id if case.party else None)
    if not team_id:
        return None
    return User.objects.filter(role=Role.SALES_MANAGER, team_id=team_id, is_active=True).order_by("id").first()


def _propose_complaint_action(case_id: int) -> None:
    from fidelia.actions.services import action_propose

    case = Case.objects.select_related("party").filter(pk=case_id).first()
    if case is None or case.party is None or case.status not in ACTIVE_STATUSES:
        return
    action_propose(party=case.party, kind="call", source="service",
                   source_key=f"service:case:{case.pk}:complaint-open",
                   title=_("Call back about the complaint %(ref)s") % {"ref": case.reference},
                   reason=_("Open complaint: %(cat)s") % {"cat": case.get_category_display()},
                   due_on=timezone.localdate() + dt.timedelta(days=1), priority=2.0)


def sla_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Flag the active cases past a target and escalate them: an action for the manager of the case's
    team ("escalated_at" set once) and, for complaints, one for the customer's owner. Idempotent: run it
    as often as wanted (every five minutes by beat). Returns counts."""
    from fidelia.actions.services import action_propose

    now = now or timezone.now()
    active = Case.objects.filter(status__in=ACTIVE_STATUSES)
    late_first = active.filter(first_response_at__isnull=True, first_response_due__lt=now,
                               first_response_breached=False)
    late_resolution = active.filter(resolution_due__lt=now, resolution_breached=False).exclude(
        status=CaseStatus.WAITING)
    counts = {"first_response": 0, "resolution": 0, "escalated": 0}
    for field, qs in (("first_response", late_first), ("resolution", late_resolution)):
        for case in qs.select_related("party").iterator():
            with transaction.atomic():
                Case.objects.filter(pk=case.pk).update(**{f"{field}_breached": True})
                _history(case, actor=None, kind=CaseEventKind.BREACHED, detail=field, at=now)
            counts[field] += 1
    to_escalate = active.filter(Q(first_response_breached=True) | Q(resolution_breached=True),
                                escalated_at__isnull=True).select_related("party")
    for case in to_escalate.iterator():
        with transaction.atomic():
            manager = _manager_of(case)
            if case.party is not None:
                action_propose(party=case.party, kind="follow_up", source="service",
                               source_key=f"service:case:{case.pk}:escalated", owner=manager,
                               title=_("Late case %(ref)s: %(subject)s") % {"ref": case.reference,
                                                                           "subject": case.subject},
                               reason=_("The service deadline of this case has passed."),
                               due_on=now.date(), priority=3.0)
            Case.objects.filter(pk=case.pk).update(escalated_at=now)
            _history(case, actor=None, kind=CaseEventKind.ESCALATED, new=manager or "", at=now)
            events.record(actor=None, action="case.escalated", obj=case, party_id=case.party_id)
        counts["escalated"] += 1
    return counts


# --- SLA policies ---------------------------------------------------------------------------------

def _clean_policy(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "priority" in values and values["priority"] not in CasePriority.values:
        errors["priority"] = [_("Unknown priority.")]
    if "segment" in values and values["segment"] not in SlaSegment.values:
        errors["segment"] = [_("Unknown segment.")]
    for name in ("first_response_hours", "resolution_hours"):
        if name in values:
            try:
                hours = Decimal(str(values[name]))
            except ArithmeticError:
                hours = Decimal(-1)
            if not (Decimal("0.25") <= hours <= Decimal("5000")):
                errors[name] = [_("Between 0.25 and 5,000 business hours.")]
            values[name] = hours
    if "name" in values and not (values["name"] or "").strip():
        errors["name"] = [_("The name is required.")]
    return errors


@transaction.atomic
def sla_policy_save(*, actor: User, policy: SlaPolicy | None = None, version: int | None = None,
                    **values: Any) -> SlaPolicy:
    """Create (policy None) or change an SLA policy; one active policy per priority and segment, and the
    resolution target may not be shorter than the first response. Open cases keep their due dates."""
    if not policies.can_configure_service(actor):
        raise PermissionDenied(_("Only administrators configure SLA policies."))
    errors = _clean_policy(values)
    if policy is not None:
        policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
        if version is not None and version != policy.version:
            raise StaleVersion(_("This policy was changed by someone else; reload it and try again."))
    row = policy or SlaPolicy()
    for name, value in values.items():
        setattr(row, name, value)
    if not errors and row.resolution_hours is not None and row.first_response_hours is not None \
            and row.resolution_hours < row.first_response_hours:
        errors["resolution_hours"] = [_("The resolution target cannot be shorter than the first response.")]
    if not errors and row.is_active and SlaPolicy.objects.filter(
            priority=row.priority, segment=row.segment, is_active=True).exclude(pk=row.pk).exists():
        errors["segment"] = [_("An active policy already exists for this priority and segment.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    if policy is not None:
        row.version += 1
    row.save()
    events.record(actor=actor, action="sla_policy.saved", obj=row, party_id=None,
                  changes={k: str(v) for k, v in values.items()})
    return row
