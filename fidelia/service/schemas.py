"""API schemas of customer service (no logic: shapes only)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from fidelia.core.api import Id, text
from fidelia.parties.schemas import StrictIn
from fidelia.service.enums import (
    CaseCategory,
    CaseChannel,
    CaseKind,
    CasePriority,
    CaseStatus,
    SlaSegment,
)

Hours = Annotated[Decimal, Field(ge=Decimal("0.25"), le=Decimal("5000"), max_digits=7, decimal_places=2)]


class CaseIn(StrictIn):
    party_id: Id
    subject: text(200) = Field(..., min_length=1)
    kind: CaseKind = CaseKind.REQUEST
    category: CaseCategory = CaseCategory.OTHER
    priority: CasePriority = CasePriority.NORMAL
    channel: CaseChannel = CaseChannel.PHONE
    description: text(20000) = ""
    contract_id: Id | None = None
    transaction_id: Id | None = None


class CaseUpdateIn(StrictIn):
    """Fields to change; absent fields are left as they are."""

    subject: text(200) | None = Field(None, min_length=1)
    kind: CaseKind | None = None
    category: CaseCategory | None = None
    priority: CasePriority | None = None
    channel: CaseChannel | None = None
    description: text(20000) | None = None
    party_id: Id | None = Field(None, description="Link an unknown sender's case to a customer.")


class StatusIn(StrictIn):
    status: CaseStatus


class AssignIn(StrictIn):
    owner_id: Id | None = Field(None, description="The agent; null puts the case back in the queue.")


class ReplyIn(StrictIn):
    body: text(50000) = Field(..., min_length=1, description="Placeholders: {customer_name}, {case_reference}, "
                                                             "{case_subject}, {agent_name}.")
    then: Literal["", "waiting", "resolved"] = ""


class NoteIn(StrictIn):
    body: text(20000) = Field(..., min_length=1)


class MessageOut(Schema):
    id: int
    kind: str
    author_id: int | None
    from_address: str
    to_address: str
    subject: str
    body_text: str
    body_html: str = Field(..., description="Sanitised HTML (nh3).")
    message_id: str
    attachments: list[dict[str, Any]]
    sent_at: dt.datetime


class SlaOut(Schema):
    target: str
    seconds_left: int | None
    level: str


class CaseOut(Schema):
    id: int
    reference: str
    kind: str
    category: str
    priority: str
    channel: str
    status: str
    subject: str
    description: str
    party_id: int | None
    sender_email: str
    sender_unknown: bool
    contract_id: int | None
    transaction_id: int | None
    owner_id: int | None
    team_id: int | None
    opened_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    first_response_due: dt.datetime | None
    resolution_due: dt.datetime | None
    first_response_breached: bool
    resolution_breached: bool
    escalated_at: dt.datetime | None
    reopen_count: int
    version: int


class CaseDetailOut(CaseOut):
    sla: SlaOut
    messages: list[MessageOut]


class SlaPolicyIn(StrictIn):
    name: text(120) = Field(..., min_length=1)
    priority: CasePriority
    segment: SlaSegment = SlaSegment.ANY
    first_response_hours: Hours
    resolution_hours: Hours
    is_active: bool = True


class SlaPolicyOut(Schema):
    id: int
    name: str
    priority: str
    segment: str
    first_response_hours: Decimal
    resolution_hours: Decimal
    is_active: bool
    version: int
