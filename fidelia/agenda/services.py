"""Writes of the agenda: keyword-only, atomic, audited, refusing stale versions.

Double bookings are allowed (a rep may knowingly overlap a call and a visit) but never silent:
`appointment_conflicts` lists them and the pages and API show them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.agenda import selectors
from fidelia.agenda.enums import TIMELINE_CHANNEL, AppointmentChannel, AppointmentStatus, ShareLevel
from fidelia.agenda.models import Appointment, CalendarFeed, CalendarShare
from fidelia.core import events
from fidelia.core.errors import StaleVersion, ValidationFailed
from fidelia.interactions.enums import Outcome
from fidelia.interactions.services import interaction_log
from fidelia.parties.models import Party
from fidelia.parties.selectors import parties_for_user
from fidelia.sales.models import Opportunity

User = get_user_model()

MAX_DURATION = dt.timedelta(days=14)
MIN_YEAR, MAX_YEAR = 1900, 2999
TITLE_MAX = 200
PLACE_MAX = 300
TEXT_MAX = 20_000


def _invalid(fields: dict[str, list[str]]) -> ValidationFailed:
    return ValidationFailed(_("Some fields are not valid."), fields=fields)


def _clean_text(value: str, *, field: str, max_length: int, errors: dict[str, list[str]]) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        errors.setdefault(field, []).append(_("The text contains a NUL character."))
    elif len(value) > max_length:
        errors.setdefault(field, []).append(_("At most %(n)s characters.") % {"n": max_length})
    return value


def _check_times(start: Any, end: Any, errors: dict[str, list[str]]) -> None:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            errors.setdefault(name, []).append(_("A date and time with its time zone is required."))
        elif not MIN_YEAR <= value.year <= MAX_YEAR:
            errors.setdefault(name, []).append(_("The year must be between %(min)s and %(max)s.")
                                               % {"min": MIN_YEAR, "max": MAX_YEAR})
    if "start" in errors or "end" in errors:
        return
    if end <= start:
        errors.setdefault("end", []).append(_("The end must come after the start."))
    elif end - start > MAX_DURATION:
        errors.setdefault("end", []).append(_("An appointment lasts at most 14 days."))


def _require_calendar_write(actor: Any, owner: Any) -> None:
    access = selectors.calendar_access(actor, owner.pk) if owner is not None else None
    if access not in {selectors.OWN, selectors.WRITE}:
        raise ValidationFailed(_("You may not book in this calendar."),
                               fields={"owner": [_("You may not book in this calendar.")]})


def _check_party(actor: Any, owner: Any, party: Party | None, errors: dict[str, list[str]]) -> None:
    """The customer must be one the actor — or, for a delegate, the calendar's owner — may read."""
    if party is None:
        return
    if any(parties_for_user(u).filter(pk=party.pk).exists() for u in {actor, owner}):
        return
    errors.setdefault("party", []).append(_("Unknown customer."))


def _check_opportunity(actor: Any, owner: Any, party: Party | None, opportunity: Opportunity | None,
                       errors: dict[str, list[str]]) -> None:
    if opportunity is None:
        return
    if party is not None and opportunity.party_id != party.pk:
        errors.setdefault("opportunity", []).append(_("This opportunity belongs to another customer."))
        return
    readable = False
    for user in {actor, owner}:
        rule = policies.pipeline_read_filter(user)
        if rule is not None and Opportunity.objects.filter(rule, pk=opportunity.pk).exists():
            readable = True
    if not readable:
        errors.setdefault("opportunity", []).append(_("Unknown opportunity."))


def _check_attendees(attendees: Iterable[Any], owner: Any, errors: dict[str, list[str]]) -> list[Any]:
    people = [u for u in dict.fromkeys(attendees) if u.pk != owner.pk]
    if any(not (u.is_active and policies.can_use_agenda(u)) for u in people):
        errors.setdefault("attendees", []).append(_("Only active colleagues with a calendar may attend."))
    if len(people) > 50:
        errors.setdefault("attendees", []).append(_("At most 50 colleagues."))
    return people


def _validate(*, actor: Any, owner: Any, values: dict[str, Any], attendees: Iterable[Any]) -> list[Any]:
    errors: dict[str, list[str]] = {}
    values["title"] = _clean_text(values["title"], field="title", max_length=TITLE_MAX, errors=errors)
    if not values["title"]:
        errors.setdefault("title", []).append(_("The title is required."))
    values["place"] = _clean_text(values.get("place", ""), field="place", max_length=PLACE_MAX, errors=errors)
    values["notes"] = _clean_text(values.get("notes", ""), field="notes", max_length=TEXT_MAX, errors=errors)
    if values["channel"] not in AppointmentChannel.values:
        errors.setdefault("channel", []).append(_("Choose a channel from the list."))
    _check_times(values["start"], values["end"], errors)
    _check_party(actor, owner, values.get("party"), errors)
    _check_opportunity(actor, owner, values.get("party"), values.get("opportunity"), errors)
    people = _check_attendees(attendees, owner, errors)
    if errors:
        raise _invalid(errors)
    return people


@transaction.atomic
def appointment_create(*, actor: Any, owner: Any, title: str, start: dt.datetime, end: dt.datetime,
                       channel: str = AppointmentChannel.VISIT, place: str = "", party: Party | None = None,
                       opportunity: Opportunity | None = None, attendees: Iterable[Any] = (),
                       customer_attends: bool = True, notes: str = "") -> Appointment:
    """Book an appointment in `owner`'s calendar (the actor's own, or one delegated with write
    rights). Overlaps are allowed; `selectors.appointment_conflicts` tells them."""
    _require_calendar_write(actor, owner)
    if opportunity is not None and party is None:
        party = opportunity.party
    values: dict[str, Any] = {"title": title, "start": start, "end": end, "channel": channel, "place": place,
                              "party": party, "opportunity": opportunity, "notes": notes}
    people = _validate(actor=actor, owner=owner, values=values, attendees=attendees)
    row = Appointment.objects.create(owner=owner, team_id=owner.team_id, created_by=actor,
                                     customer_attends=bool(customer_attends) and party is not None, **values)
    row.attendees.set(people)
    events.record(actor=actor, action="appointment.created", obj=row, party_id=row.party_id,
                  changes={"owner": owner.pk, "start": start, "end": end})
    return row


def _lock(appointment: Appointment, version: int) -> Appointment:
    row = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if row.version != version:
        raise StaleVersion(_("This appointment was changed by someone else meanwhile; reload it and redo your change."))
    return row


@transaction.atomic
def appointment_update(*, appointment: Appointment, actor: Any, version: int, title: str, start: dt.datetime,
                       end: dt.datetime, channel: str, place: str = "", party: Party | None = None,
                       opportunity: Opportunity | None = None, attendees: Iterable[Any] = (),
                       customer_attends: bool = True, notes: str = "") -> Appointment:
    """Change a planned appointment; refused when `version` is stale or the appointment is cancelled or done."""
    row = _lock(appointment, version)
    _require_calendar_write(actor, row.owner)
    if row.status != AppointmentStatus.PLANNED:
        raise ValidationFailed(_("Only a planned appointment can be changed."))
    if opportunity is not None and party is None:
        party = opportunity.party
    values: dict[str, Any] = {"title": title, "start": start, "end": end, "channel": channel, "place": place,
                              "party": party, "opportunity": opportunity, "notes": notes,
                              "customer_attends": bool(customer_attends) and party is not None}
    people = _validate(actor=actor, owner=row.owner, values=values, attendees=attendees)
    changes = events.diff(row, values)
    for name, value in values.items():
        setattr(row, name, value)
    row.version += 1
    row.save()
    before = set(row.attendees.values_list("pk", flat=True))
    if before != {u.pk for u in people}:
        row.attendees.set(people)
        changes["attendees"] = [sorted(before), sorted(u.pk for u in people)]
    events.record(actor=actor, action="appointment.updated", obj=row, party_id=row.party_id, changes=changes)
    return row


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, actor: Any, version: int, reason: str = "") -> Appointment:
    """Cancel a planned appointment (it stays in the calendar, struck through, and leaves the feed as CANCELLED)."""
    row = _lock(appointment, version)
    _require_calendar_write(actor, row.owner)
    if row.status != AppointmentStatus.PLANNED:
        raise ValidationFailed(_("Only a planned appointment can be cancelled."))
    errors: dict[str, list[str]] = {}
    reason = _clean_text(reason, field="reason", max_length=PLACE_MAX, errors=errors)
    if errors:
        raise _invalid(errors)
    row.status = AppointmentStatus.CANCELLED
    if reason:
        row.outcome = ""
        row.notes = (row.notes + "\n" if row.notes else "") + _("Cancelled: %(reason)s") % {"reason": reason}
    row.version += 1
    row.save()
    events.record(actor=actor, action="appointment.cancelled", obj=row, party_id=row.party_id,
                  changes={"status": [AppointmentStatus.PLANNED, AppointmentStatus.CANCELLED]})
    return row


@transaction.atomic
def appointment_complete(*, appointment: Appointment, actor: Any, version: int, status: str = AppointmentStatus.DONE,
                         outcome: str = "", report: str = "") -> Appointment:
    """Close a planned appointment as held (`done`) or `no_show`. A held appointment with a customer
    and a report lands in the customer's timeline (`interaction_log`, channel by appointment channel)."""
    row = _lock(appointment, version)
    _require_calendar_write(actor, row.owner)
    errors: dict[str, list[str]] = {}
    if row.status != AppointmentStatus.PLANNED:
        raise ValidationFailed(_("This appointment is already closed."))
    if status not in {AppointmentStatus.DONE, AppointmentStatus.NO_SHOW}:
        errors["status"] = [_("Choose “done” or “no-show”.")]
    if outcome and outcome not in Outcome.values:
        errors["outcome"] = [_("Choose an outcome from the list.")]
    report = _clean_text(report, field="report", max_length=TEXT_MAX, errors=errors)
    if row.start > timezone.now() + dt.timedelta(minutes=5):
        errors.setdefault("status", []).append(_("An appointment that has not started yet cannot be closed."))
    if errors:
        raise _invalid(errors)
    row.status, row.outcome, row.report = status, outcome, report
    if row.party_id and status == AppointmentStatus.DONE and report and policies.can_log_interaction(actor):
        row.interaction = interaction_log(party=row.party, actor=actor, channel=TIMELINE_CHANNEL[row.channel],
                                          direction="outbound", subject=row.title, outcome=outcome, report=report,
                                          occurred_at=min(row.start, timezone.now()))
    row.version += 1
    row.save()
    events.record(actor=actor, action="appointment.completed", obj=row, party_id=row.party_id,
                  changes={"status": [AppointmentStatus.PLANNED, status]})
    return row


# --- sharing ---------------------------------------------------------------------------------

@transaction.atomic
def calendar_share_set(*, owner: Any, delegate: Any, level: str, actor: Any) -> CalendarShare:
    """Share `owner`'s calendar with `delegate` at `level` (creating or changing the delegation).
    Only the owner (or an administrator) shares a calendar."""
    errors: dict[str, list[str]] = {}
    if actor.pk != owner.pk and not policies.agenda_read_all(actor):
        raise ValidationFailed(_("Only the owner shares a calendar."))
    if level not in ShareLevel.values:
        errors["level"] = [_("Choose read or read and write.")]
    if delegate is None or delegate.pk == owner.pk:
        errors["delegate"] = [_("Choose a colleague other than the calendar's owner.")]
    elif not (delegate.is_active and policies.can_use_agenda(delegate)):
        errors["delegate"] = [_("This colleague has no calendar.")]
    if errors:
        raise _invalid(errors)
    try:
        with transaction.atomic():
            share, created = CalendarShare.objects.update_or_create(owner=owner, delegate=delegate,
                                                                    defaults={"level": level})
    except IntegrityError:  # a concurrent request created it first
        share = CalendarShare.objects.get(owner=owner, delegate=delegate)
        share.level = level
        share.save(update_fields=["level"])
    events.record(actor=actor, action="calendar.shared", obj=share, party_id=None,
                  changes={"delegate": delegate.pk, "level": level})
    return share


@transaction.atomic
def calendar_share_remove(*, share: CalendarShare, actor: Any) -> None:
    """End a delegation at once."""
    if actor.pk != share.owner_id and not policies.agenda_read_all(actor):
        raise ValidationFailed(_("Only the owner shares a calendar."))
    events.record(actor=actor, action="calendar.unshared", obj=share, party_id=None,
                  changes={"delegate": share.delegate_id})
    share.delete()


# --- iCalendar feed --------------------------------------------------------------------------

def feed_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def feed_rotate(*, user: Any, include_customers: bool = False) -> str:
    """Issue a new private feed token for `user` and return it (shown once; only its hash is
    stored). Any previous feed URL stops working at once."""
    if not policies.can_use_agenda(user):
        raise ValidationFailed(_("You have no calendar."))
    raw = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": feed_token_hash(raw),
                                                               "include_customers": bool(include_customers),
                                                               "last_used_at": None})
    events.record(actor=user, action="calendar.feed_rotated", obj=user, party_id=None)
    return raw


@transaction.atomic
def feed_revoke(*, user: Any) -> bool:
    """Delete the user's feed: its URL answers 404 from now on. False when there was none."""
    deleted = CalendarFeed.objects.filter(user=user).delete()[0]
    if deleted:
        events.record(actor=user, action="calendar.feed_revoked", obj=user, party_id=None)
    return bool(deleted)


def feed_resolve(raw: str) -> CalendarFeed | None:
    """The live feed a raw token opens, or None (unknown, revoked, or the user deactivated)."""
    if not raw or len(raw) > 200:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=feed_token_hash(raw)).first()
    if feed is None or not policies.can_use_agenda(feed.user):
        return None
    now = timezone.now()
    # Calendar clients poll every few minutes: note the read at most hourly, without a version bump.
    if feed.last_used_at is None or now - feed.last_used_at > dt.timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed


# --- privacy ---------------------------------------------------------------------------------

def appointments_anonymise(*, party_id: int | None = None, before: dt.datetime | None = None) -> int:
    """Strip the customer and what was said from appointments (of one party, or held before a
    date): the slot stays in the owner's calendar. Returns the number of rows changed."""
    qs = Appointment.objects.all()
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    else:
        qs = qs.filter(party__isnull=False)
    if before is not None:
        qs = qs.filter(end__lt=before)
    return qs.update(party=None, opportunity=None, customer_attends=False, title=_("Appointment"), place="",
                     report="", notes="", outcome="", interaction=None,
                     version=F("version") + 1)
