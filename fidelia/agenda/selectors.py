"""Reads of the agenda, always for a user.

Who reads which calendar (documented in docs/agenda.md):
- one's own calendar: the appointments one owns and those one attends;
- a colleague's calendar shared with one (`CalendarShare`, read or write);
- a sales manager reads the calendars of their team; an administrator every calendar.
An appointment readable through a calendar is shown whole, customer name included, even when the
reader could not open that customer's file: the delegation grants it (the course: an absent
colleague's customer is taken over without useless questions). The customer file itself still
follows the portfolio rule. Anything else answers 404.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404

from fidelia.accounts import policies
from fidelia.agenda.enums import AppointmentStatus, ShareLevel
from fidelia.agenda.models import Appointment, CalendarFeed, CalendarShare

User = get_user_model()

OWN, WRITE, READ = "own", "write", "read"


@dataclass(frozen=True)
class CalendarChoice:
    """A calendar the user may open, and how: own, write (delegated or admin) or read."""

    user_id: int
    name: str
    access: str

    @property
    def writable(self) -> bool:
        return self.access in {OWN, WRITE}


def calendars_for_user(user: Any) -> list[CalendarChoice]:
    """The user's own calendar first, then the calendars shared with them (and, for a manager, the
    team's; for an administrator, every agenda user's), by name. Two queries at most."""
    if not policies.can_use_agenda(user):
        return []
    choices: dict[int, CalendarChoice] = {user.pk: CalendarChoice(user.pk, user.get_full_name() or user.username, OWN)}
    others: Q | None = None
    if policies.agenda_read_all(user):
        others = Q(is_active=True)
    elif policies.agenda_reads_team_calendars(user):
        others = Q(team_id=user.team_id, is_active=True)
    shares = {s.owner_id: s for s in CalendarShare.objects.filter(delegate=user, owner__is_active=True)
              .select_related("owner")}
    for share in shares.values():
        choices[share.owner_id] = CalendarChoice(share.owner_id, share.owner.get_full_name() or share.owner.username,
                                                 WRITE if share.level == ShareLevel.WRITE else READ)
    if others is not None:
        admin = policies.agenda_read_all(user)
        for other in User.objects.filter(others).exclude(pk=user.pk).only("pk", "first_name", "last_name", "username",
                                                                            "role", "is_active"):
            if other.pk not in choices and policies.can_use_agenda(other):
                choices[other.pk] = CalendarChoice(other.pk, other.get_full_name() or other.username,
                                                   WRITE if admin else READ)
    own = choices.pop(user.pk)
    return [own, *sorted(choices.values(), key=lambda c: c.name.lower())]


def calendar_access(user: Any, owner_id: int) -> str | None:
    """How `user` may open the calendar of `owner_id`: OWN, WRITE, READ, or None (404)."""
    if not policies.can_use_agenda(user):
        return None
    if owner_id == user.pk:
        return OWN
    if policies.agenda_read_all(user):
        return WRITE if User.objects.filter(pk=owner_id).exists() else None
    share = CalendarShare.objects.filter(owner_id=owner_id, delegate=user).values_list("level", flat=True).first()
    if share is not None:
        return WRITE if share == ShareLevel.WRITE else READ
    if policies.agenda_reads_team_calendars(user) and User.objects.filter(pk=owner_id, team_id=user.team_id).exists():
        return READ
    return None


def _readable_owner_ids(user: Any) -> list[int]:
    return [c.user_id for c in calendars_for_user(user)]


def appointment_read_q(user: Any) -> Q | None:
    """A Q over appointments `user` may read (None: nothing): those owned by or attended by
    someone whose calendar the user opens."""
    if not policies.can_use_agenda(user):
        return None
    if policies.agenda_read_all(user):
        return Q()
    owners = _readable_owner_ids(user)
    attended = Appointment.attendees.through.objects.filter(user_id__in=owners).values("appointment_id")
    return Q(owner_id__in=owners) | Q(pk__in=attended)


def appointment_get_for_user(*, user: Any, pk: Any, for_write: bool = False) -> Appointment:
    """The appointment if `user` may read it (or book in its calendar, `for_write`); 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    rule = appointment_read_q(user)
    if rule is None or not 0 < pk < 2**63:
        raise Http404
    row = (Appointment.objects.filter(rule, pk=pk).select_related("owner", "party", "opportunity", "created_by")
           .prefetch_related("attendees").first())
    if row is None:
        raise Http404
    if for_write and not appointment_writable(user, row):
        raise Http404
    return row


def appointment_writable(user: Any, appointment: Appointment) -> bool:
    """True when `user` may change this appointment: it sits in a calendar they may write in."""
    return calendar_access(user, appointment.owner_id) in {OWN, WRITE}


def appointment_list(*, user: Any, start: dt.datetime | None = None, end: dt.datetime | None = None,
                     owner_id: int | None = None, party_id: int | None = None) -> QuerySet[Appointment]:
    """Appointments `user` may read, overlapping [start, end) when given, of one calendar
    (owned or attended) and/or one customer."""
    rule = appointment_read_q(user)
    if rule is None:
        return Appointment.objects.none()
    qs = Appointment.objects.filter(rule)
    if start is not None:
        qs = qs.filter(end__gt=start)
    if end is not None:
        qs = qs.filter(start__lt=end)
    if owner_id is not None:
        attended = Appointment.attendees.through.objects.filter(user_id=owner_id).values("appointment_id")
        qs = qs.filter(Q(owner_id=owner_id) | Q(pk__in=attended))
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    return qs.select_related("owner", "party").prefetch_related("attendees").order_by("start", "id")


def calendar_appointments(*, user: Any, owner_id: int, start: dt.datetime, end: dt.datetime) -> list[Appointment]:
    """The appointments shown in `owner_id`'s calendar between start and end (404 without access).
    Each row carries `conflicts`: ids of other active appointments of that calendar it overlaps."""
    if calendar_access(user, owner_id) is None:
        raise Http404
    attended = Appointment.attendees.through.objects.filter(user_id=owner_id).values("appointment_id")
    rows = list(Appointment.objects.filter(Q(owner_id=owner_id) | Q(pk__in=attended), end__gt=start, start__lt=end)
                .select_related("owner", "party").prefetch_related("attendees").order_by("start", "id"))
    active = [r for r in rows if r.is_active]
    for row in rows:
        row.conflicts = [o.pk for o in active if o.pk != row.pk and row.is_active
                         and o.start < row.end and row.start < o.end]
    return rows


def appointment_conflicts(*, people: list[int], start: dt.datetime, end: dt.datetime,
                          exclude_pk: int | None = None) -> list[Appointment]:
    """Active appointments overlapping [start, end) that one of `people` owns or attends: double bookings."""
    attended = Appointment.attendees.through.objects.filter(user_id__in=people).values("appointment_id")
    qs = (Appointment.objects.filter(Q(owner_id__in=people) | Q(pk__in=attended), start__lt=end, end__gt=start)
          .exclude(status=AppointmentStatus.CANCELLED).select_related("owner").order_by("start", "id"))
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs)


def party_appointments(*, party_id: int, now: dt.datetime, limit: int = 5) -> tuple[list[Appointment], list[Appointment]]:
    """Upcoming and past appointments of a customer the caller has already been allowed to read
    (the customer file shows every appointment with its customer, whoever's calendar it is in)."""
    qs = Appointment.objects.filter(party_id=party_id).select_related("owner")
    upcoming = list(qs.filter(end__gte=now).exclude(status=AppointmentStatus.CANCELLED).order_by("start", "id")[:limit])
    past = list(qs.filter(end__lt=now).order_by("-start", "-id")[:limit])
    return upcoming, past


def share_list(*, user: Any) -> QuerySet[CalendarShare]:
    """The delegations the user gave (their calendar shared with colleagues)."""
    return CalendarShare.objects.filter(owner=user).select_related("delegate").order_by("delegate__last_name", "pk")


def share_get_for_user(*, user: Any, pk: Any) -> CalendarShare:
    """A delegation the user gave; 404 for any other."""
    try:
        return CalendarShare.objects.select_related("delegate").get(pk=int(pk), owner=user)
    except (TypeError, ValueError, OverflowError, CalendarShare.DoesNotExist):
        raise Http404 from None


def delegate_candidates(*, user: Any) -> QuerySet[Any]:
    """Colleagues a calendar may be shared with: active users of an agenda role, the user excepted."""
    from fidelia.accounts.policies import AGENDA_ROLES
    return User.objects.filter(is_active=True, role__in=AGENDA_ROLES).exclude(pk=user.pk).order_by("last_name", "first_name")


def attendee_candidates(*, user: Any) -> list[Any]:
    """Colleagues offered as attendees on the form: the user's team and the owners of the calendars
    the user opens (the API accepts any colleague with a calendar)."""
    owners = [c.user_id for c in calendars_for_user(user)]
    rule = Q(pk__in=owners) | (Q(team_id=user.team_id) if user.team_id else Q())
    return list(delegate_candidates(user=user).filter(rule))


def feed_for_user(user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()
