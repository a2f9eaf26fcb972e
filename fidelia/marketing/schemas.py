"""Input and output shapes of the marketing API (no logic: see services and selectors)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from fidelia.core.api import Page, text


class SegmentIn(Schema):
    name: text(120)
    description: text(300) = ""
    definition: dict[str, Any] = Field(..., description='{"all": [...]} or {"any": [...]} of clauses '
                                                         '{"fact", "operator", "value"}; see /api/docs.')


class DefinitionIn(Schema):
    definition: dict[str, Any]


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    definition: dict[str, Any]
    version: int
    updated_at: dt.datetime


SegmentPage = Page[SegmentOut]


class CountOut(Schema):
    count: int


class MemberOut(Schema):
    id: int
    display_name: str
    stage: str
    postcode: str
    city: str


class CampaignOut(Schema):
    id: int
    name: str
    channel: str
    status: str
    segment_id: int | None
    purpose: str
    control_share: Decimal
    starts_on: dt.date | None
    ends_on: dt.date | None
    launched_at: dt.datetime | None
    version: int


CampaignPage = Page[CampaignOut]


class KpisOut(Schema):
    cost_per_contact: Decimal | None
    response_rate: Decimal | None
    average_order: Decimal | None
    prospect_acquisition_cost: Decimal | None
    conversion_rate: Decimal | None
    customer_acquisition_cost: Decimal | None
    margin_per_order: Decimal | None
    break_even_orders: Decimal | None
    roi: Decimal | None


class UpliftOut(Schema):
    test_rate: float | None
    control_rate: float | None
    difference: float | None
    low: float | None
    high: float | None


class ResultsOut(Schema):
    campaign_id: int
    targeted: int
    excluded: dict[str, int] = Field(..., description="Recipients excluded, per reason.")
    sent: int
    control: int
    bounced: int
    failed: int
    responders: int
    clicks: int
    unsubscribes: int
    replies: int
    forms: int = Field(..., description="Web forms filled in after the campaign.")
    opportunities: int
    orders: int
    revenue: Decimal
    margin: Decimal
    total_cost: Decimal
    kpis: KpisOut
    response_uplift: UpliftOut
    revenue_uplift: UpliftOut
    winner: str | None


class StepOut(Schema):
    id: int
    status: str
    version: int
