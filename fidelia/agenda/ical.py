"""iCalendar (RFC 5545) rendering of appointments with the `icalendar` package.

Times are written in UTC, which every client converts; SEQUENCE is the appointment's version, so
clients replace an event that changed; a cancelled appointment stays in the feed as STATUS:CANCELLED
so subscribed clients remove it. What leaves the CRM is limited: title, place, channel and — only
when the owner chose it for their feed — the customer's name; never notes or meeting reports.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from fidelia.agenda.enums import ICAL_STATUS
from fidelia.agenda.models import Appointment

PRODID = "-//Fidelia//Agenda//FR"


def uid(appointment: Appointment) -> str:
    domain = getattr(settings, "FIDELIA_ICAL_DOMAIN", "") or "fidelia.invalid"
    return f"appointment-{appointment.pk}@{domain}"


def _event(appointment: Appointment, *, include_customer: bool) -> Event:
    event = Event()
    event.add("uid", uid(appointment))
    event.add("dtstamp", (appointment.updated_at or timezone.now()).astimezone(dt.UTC))
    event.add("dtstart", appointment.start.astimezone(dt.UTC))
    event.add("dtend", appointment.end.astimezone(dt.UTC))
    event.add("summary", appointment.title)
    if appointment.place:
        event.add("location", appointment.place)
    lines = [str(appointment.get_channel_display())]
    if include_customer and appointment.party_id:
        lines.append(str(appointment.party))
    event.add("description", "\n".join(lines))
    event.add("status", ICAL_STATUS[appointment.status])
    event.add("sequence", appointment.version)
    event.add("last-modified", appointment.updated_at.astimezone(dt.UTC))
    return event


def calendar_bytes(appointments: Iterable[Appointment], *, name: str, include_customers: bool) -> bytes:
    """A VCALENDAR with one VEVENT per appointment."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for appointment in appointments:
        cal.add_component(_event(appointment, include_customer=include_customers))
    return cal.to_ical()
