"""API schemas for the customer timeline (mémoire des contacts)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

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
    kind: Literal["interaction"] = Field("interaction", description="A contact logged in the timeline.")
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


class TimelineResponseOut(Schema):
    kind: str = Field(..., description="click, reply, order, refusal or unsubscribe.")
    at: dt.datetime


class TimelineEntryOut(Schema):
    """A line of the timeline no one logged: e.g. a campaign's message, read from the campaign."""
    kind: str = Field(..., description="What it is: `campaign` for a message of a marketing campaign.")
    id: int = Field(..., description="The row's id in its source (the campaign recipient).")
    party: PartyRefOut
    channel: str
    subject: str = Field(..., description="For a campaign: its name.")
    occurred_at: dt.datetime = Field(..., description="When it was sent.")
    source_id: int | None = Field(None, description="The campaign's id, for callers who may read campaigns.")
    responses: list[TimelineResponseOut] = Field(default_factory=list,
                                                 description="What the customer did in response, oldest first.")


class TimelinePage(Page[InteractionOut | TimelineEntryOut]):
    pass


class InteractionFiltersIn(Schema):
    party: Id | None = None
    channel: InteractionChannel | None = None
    direction: Direction | None = None
    occurred_after: DateTime | None = None
    occurred_before: DateTime | None = None
