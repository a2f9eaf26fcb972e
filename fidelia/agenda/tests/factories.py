"""Appointments for tests, booked through the service."""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fidelia.agenda.models import Appointment
from fidelia.agenda.services import appointment_create

PARIS = ZoneInfo("Europe/Paris")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def book(owner: Any, day: dt.date, hour: int, minutes: int = 60, *, actor: Any = None, title: str = "Rendez-vous",
         **kwargs: Any) -> Appointment:
    start = at(day, hour)
    return appointment_create(actor=actor or owner, owner=owner, title=title, start=start,
                              end=start + dt.timedelta(minutes=minutes), **kwargs)
