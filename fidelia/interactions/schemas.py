"""API schemas for the customer timeline (mémoire des contacts)."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from fidelia.core.api import DateTime, Id, Page, text
from fidelia.interactions.enums import Direction, InteractionChannel, Outcome
from fidelia.parties.schemas import Blank, PartyRefOut, UserRefOut


class InteractionIn(Schema):
    channel: InteractionChannel
    direction: Direction
    subject: text(200)
    outcome: Outcome | Blank = ""
    report: text(20000) = Field("", description="The meeting report (compte rendu d'entretien).")
    occurred_at: DateTime | None = Field(None, description="When it happened; now by default. Not in the future.")


class InteractionOut(Schema):
    id: int
    party: PartyRefOut
    channel: str
    direction: str
    subject: str
    outcome: str
    report: str
    occurred_at: dt.datetime
    author: UserRefOut | None
    created_at: dt.datetime


class InteractionPage(Page[InteractionOut]):
    pass


class InteractionFiltersIn(Schema):
    party: Id | None = None
    channel: InteractionChannel | None = None
    direction: Direction | None = None
    occurred_after: DateTime | None = None
    occurred_before: DateTime | None = None
