"""API schemas of the agenda (shapes only)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from fidelia.agenda.enums import AppointmentChannel, AppointmentStatus, ShareLevel
from fidelia.core.api import DateTime, Id, text
from fidelia.interactions.enums import Outcome
from fidelia.parties.schemas import StrictIn


class AppointmentIn(StrictIn):
    owner_id: Id | None = Field(None, description="Whose calendar (default: the caller's); needs write access to it.")
    title: text(200)
    start: DateTime
    end: DateTime
    channel: AppointmentChannel = AppointmentChannel.VISIT
    place: text(300) = ""
    party_id: Id | None = None
    opportunity_id: Id | None = None
    attendee_ids: list[Id] = Field(default_factory=list, max_length=50)
    customer_attends: bool = True
    notes: text(20_000) = ""


class AppointmentUpdateIn(StrictIn):
    title: text(200)
    start: DateTime
    end: DateTime
    channel: AppointmentChannel = AppointmentChannel.VISIT
    place: text(300) = ""
    party_id: Id | None = None
    opportunity_id: Id | None = None
    attendee_ids: list[Id] = Field(default_factory=list, max_length=50)
    customer_attends: bool = True
    notes: text(20_000) = ""


class CancelIn(StrictIn):
    reason: text(300) = ""


class CompleteIn(StrictIn):
    status: Literal["done", "no_show"] = "done"
    outcome: Outcome | Literal[""] = ""
    report: text(20_000) = ""


class AppointmentOut(Schema):
    id: int
    owner_id: int
    title: str
    start: dt.datetime
    end: dt.datetime
    channel: AppointmentChannel
    place: str
    party_id: int | None
    party_name: str | None
    opportunity_id: int | None
    attendee_ids: list[int]
    customer_attends: bool
    status: AppointmentStatus
    outcome: str
    report: str
    notes: str
    version: int
    conflict_ids: list[int] = Field(default_factory=list, description="Active appointments double-booked with this one.")


class ShareIn(StrictIn):
    delegate_id: Id
    level: ShareLevel = ShareLevel.READ


class ShareOut(Schema):
    id: int
    owner_id: int
    delegate_id: int
    level: ShareLevel


class CalendarOut(Schema):
    user_id: int
    name: str
    access: Literal["own", "write", "read"]


class FeedIn(StrictIn):
    include_customers: bool = False


class FeedOut(Schema):
    url: str = Field(..., description="The private feed URL; shown once, only its hash is kept.")
    include_customers: bool
