"""REST API of the agenda: appointments (CRUD with If-Match), calendar shares, the private feed.

Reads follow `selectors` (own calendar, delegated calendars, a manager's team, admin); anything
else answers 404. Changing an appointment one may read but not write (a read delegation) answers
403. Stale versions answer 412, a missing If-Match 428.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.agenda import selectors, services
from fidelia.agenda.models import Appointment
from fidelia.agenda.schemas import (
    AppointmentIn,
    AppointmentOut,
    AppointmentUpdateIn,
    CalendarOut,
    CancelIn,
    CompleteIn,
    FeedIn,
    FeedOut,
    ShareIn,
    ShareOut,
)
from fidelia.core.api import (
    IF_MATCH,
    DateTime,
    Id,
    RowId,
    current_user,
    errors,
    etag_documented,
    if_match_version,
    resolve,
    set_etag,
)
from fidelia.core.errors import PermissionDenied, ValidationFailed
from fidelia.parties.models import Party
from fidelia.sales.models import Opportunity

router = Router(tags=["Agenda"])
User = get_user_model()
MAX_WINDOW = dt.timedelta(days=366)


def _out(row: Appointment, *, conflicts: bool = False) -> dict[str, Any]:
    attendees = [u.pk for u in row.attendees.all()]
    clash = (selectors.appointment_conflicts(people=[row.owner_id, *attendees], start=row.start, end=row.end,
                                             exclude_pk=row.pk) if conflicts and row.is_active else [])
    return {"id": row.pk, "owner_id": row.owner_id, "title": row.title, "start": row.start, "end": row.end,
            "channel": row.channel, "place": row.place, "party_id": row.party_id,
            "party_name": row.party.display_name if row.party_id else None, "opportunity_id": row.opportunity_id,
            "attendee_ids": attendees, "customer_attends": row.customer_attends, "status": row.status,
            "outcome": row.outcome, "report": row.report, "notes": row.notes, "version": row.version,
            "conflict_ids": [c.pk for c in clash]}


def _agenda_user(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_use_agenda(user):
        raise Http404
    return user


def _references(payload: Any) -> dict[str, Any]:
    party = resolve(Party.objects.filter(merged_into__isnull=True), payload.party_id, field="party_id")
    opportunity = resolve(Opportunity.objects.select_related("party"), payload.opportunity_id, field="opportunity_id")
    ids = list(dict.fromkeys(payload.attendee_ids))
    attendees = list(User.objects.filter(pk__in=ids))
    if len(attendees) != len(ids):
        raise ValidationFailed(_("Unknown colleague."), fields={"attendee_ids": [_("Unknown colleague.")]})
    return {"title": payload.title, "start": payload.start, "end": payload.end, "channel": payload.channel,
            "place": payload.place, "party": party, "opportunity": opportunity, "attendees": attendees,
            "customer_attends": payload.customer_attends, "notes": payload.notes}


@router.get("/agenda/calendars", response={200: list[CalendarOut], **errors(404)}, summary="Calendars I may open")
def list_calendars(request: HttpRequest) -> Any:
    return [{"user_id": c.user_id, "name": c.name, "access": c.access}
            for c in selectors.calendars_for_user(_agenda_user(request))]


@router.get("/agenda/appointments", response={200: list[AppointmentOut], **errors(404, 422)},
            summary="Appointments in a period")
def list_appointments(request: HttpRequest, start: DateTime, end: DateTime, calendar: Id | None = None,
                      party_id: Id | None = None) -> Any:
    """Appointments overlapping [start, end) (at most 366 days) the caller may read, of one calendar
    (`calendar`: a user id, owned or attended) and/or one customer."""
    user = _agenda_user(request)
    if not start < end <= start + MAX_WINDOW:
        raise ValidationFailed(_("The period must end after its start, within 366 days."),
                               fields={"end": [_("The period must end after its start, within 366 days.")]})
    if calendar is not None and selectors.calendar_access(user, calendar) is None:
        raise Http404
    rows = selectors.appointment_list(user=user, start=start, end=end, owner_id=calendar, party_id=party_id)
    return [_out(r) for r in rows[:2000]]


@router.post("/agenda/appointments", response={201: AppointmentOut, **errors(403, 404, 422)},
             summary="Book an appointment", openapi_extra=etag_documented(201))
def create_appointment(request: HttpRequest, response: HttpResponse, payload: AppointmentIn) -> Any:
    user = _agenda_user(request)
    owner = user if payload.owner_id in (None, user.pk) else User.objects.filter(pk=payload.owner_id).first()
    if owner is None or selectors.calendar_access(user, owner.pk) is None:
        raise ValidationFailed(_("Unknown calendar."), fields={"owner_id": [_("Unknown calendar.")]})
    row = services.appointment_create(actor=user, owner=owner, **_references(payload))
    set_etag(response, row.version)
    return Status(201, _out(row, conflicts=True))


@router.get("/agenda/appointments/{appointment_id}", response={200: AppointmentOut, **errors(404)},
            summary="Read an appointment", openapi_extra=etag_documented())
def read_appointment(request: HttpRequest, response: HttpResponse, appointment_id: int = RowId) -> Any:
    row = selectors.appointment_get_for_user(user=_agenda_user(request), pk=appointment_id)
    set_etag(response, row.version)
    return _out(row, conflicts=True)


def _writable(request: HttpRequest, appointment_id: int) -> tuple[Any, Appointment]:
    user = _agenda_user(request)
    row = selectors.appointment_get_for_user(user=user, pk=appointment_id)
    if not selectors.appointment_writable(user, row):
        raise PermissionDenied(_("This calendar is shared with you read-only."))
    return user, row


@router.put("/agenda/appointments/{appointment_id}", response={200: AppointmentOut, **errors(403, 404, 409, 412, 422, 428)},
            summary="Change a planned appointment", openapi_extra=etag_documented())
def update_appointment(request: HttpRequest, response: HttpResponse, payload: AppointmentUpdateIn,
                       appointment_id: int = RowId, if_match: str | None = IF_MATCH) -> Any:
    user, row = _writable(request, appointment_id)
    row = services.appointment_update(appointment=row, actor=user, version=if_match_version(if_match),
                                      **_references(payload))
    set_etag(response, row.version)
    return _out(row, conflicts=True)


@router.post("/agenda/appointments/{appointment_id}/cancel",
             response={200: AppointmentOut, **errors(403, 404, 409, 412, 422, 428)}, summary="Cancel an appointment",
             openapi_extra=etag_documented())
def cancel_appointment(request: HttpRequest, response: HttpResponse, payload: CancelIn,
                       appointment_id: int = RowId, if_match: str | None = IF_MATCH) -> Any:
    user, row = _writable(request, appointment_id)
    row = services.appointment_cancel(appointment=row, actor=user, version=if_match_version(if_match),
                                      reason=payload.reason)
    set_etag(response, row.version)
    return _out(row)


@router.post("/agenda/appointments/{appointment_id}/complete",
             response={200: AppointmentOut, **errors(403, 404, 409, 412, 422, 428)},
             summary="Close an appointment as held (report to the timeline) or no-show", openapi_extra=etag_documented())
def complete_appointment(request: HttpRequest, response: HttpResponse, payload: CompleteIn,
                         appointment_id: int = RowId, if_match: str | None = IF_MATCH) -> Any:
    user, row = _writable(request, appointment_id)
    row = services.appointment_complete(appointment=row, actor=user, version=if_match_version(if_match),
                                        status=payload.status, outcome=payload.outcome, report=payload.report)
    set_etag(response, row.version)
    return _out(row)


@router.get("/agenda/shares", response={200: list[ShareOut], **errors(404)}, summary="Who my calendar is shared with")
def list_shares(request: HttpRequest) -> Any:
    return list(selectors.share_list(user=_agenda_user(request)))


@router.post("/agenda/shares", response={200: ShareOut, **errors(404, 422)},
             summary="Share my calendar (or change a delegate's rights)")
def set_share(request: HttpRequest, payload: ShareIn) -> Any:
    user = _agenda_user(request)
    delegate = resolve(User.objects.all(), payload.delegate_id, field="delegate_id")
    return services.calendar_share_set(owner=user, delegate=delegate, level=payload.level, actor=user)


@router.delete("/agenda/shares/{share_id}", response={204: None, **errors(404)}, summary="Stop sharing my calendar")
def remove_share(request: HttpRequest, share_id: int = RowId) -> Any:
    user = _agenda_user(request)
    services.calendar_share_remove(share=selectors.share_get_for_user(user=user, pk=share_id), actor=user)
    return Status(204, None)


@router.post("/agenda/feed", response={200: FeedOut, **errors(404, 422)},
             summary="Issue a new private iCalendar feed URL (the previous one stops working)")
def rotate_feed(request: HttpRequest, payload: FeedIn) -> Any:
    user = _agenda_user(request)
    raw = services.feed_rotate(user=user, include_customers=payload.include_customers)
    return {"url": request.build_absolute_uri(reverse("agenda:feed", args=[raw])),
            "include_customers": payload.include_customers}


@router.delete("/agenda/feed", response={204: None, **errors(404)}, summary="Revoke my iCalendar feed URL")
def revoke_feed(request: HttpRequest) -> Any:
    services.feed_revoke(user=_agenda_user(request))
    return Status(204, None)

