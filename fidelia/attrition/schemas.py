"""API schemas of attrition."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from fidelia.attrition.enums import AttritionType, LossReason
from fidelia.core.api import Date, Id, text

ReasonCode = Literal[tuple(LossReason.values)]  # type: ignore[valid-type]
TypeCode = Literal[tuple(AttritionType.values)]  # type: ignore[valid-type]


class RecordOut(Schema):
    id: int
    date: dt.date
    type: str
    suggested_type: str
    reason: str
    note: str
    status: str
    contract_id: int | None = None


class CustomerAttritionOut(Schema):
    party_id: int
    risk: float | None = Field(None, description="Probability of stopping buying over the horizon (0–1).")
    reasons: list[str] = Field(description="Top reasons in the request's language.")
    reason_codes: list[str]
    loyalty_type: str | None = None
    repurchase_rate: float | None = None
    attitude: float | None = None
    computed_at: dt.datetime | None = None
    records: list[RecordOut]


class RecordIn(Schema):
    date: Date
    reason: ReasonCode
    type: TypeCode | Literal[""] = ""
    note: text(300) = ""
    contract_id: Id | None = None


class RatesOut(Schema):
    months: list[str]
    groups: list[str]
    base: list[list[int]] = Field(description="Customers active at the start of each month, per group.")
    churned: list[list[int]] = Field(description="Of them, no longer active at the month's end.")
    rates: list[list[float | None]] = Field(description="Attrition rate in %, null when the base is empty.")


class LoyaltyOut(Schema):
    key: str
    label: str
    count: int
    risk: float


class SummaryOut(Schema):
    confirmed: int
    suggested: int
    types: list[tuple[str, int]]
    reasons: list[tuple[str, int]]
    loyalty: list[LoyaltyOut]
    run_id: int | None = None
    metrics: dict | None = None


class SettingsOut(Schema):
    inactivity_days: int
    horizon_days: int
    high_risk: float
    nps_favourable: int
    csat_favourable: int
    repurchase_rate: float
    version: int


class SettingsIn(Schema):
    inactivity_days: int = Field(ge=30, le=1095)
    horizon_days: int = Field(ge=30, le=730)
    high_risk: float = Field(ge=0.05, le=0.99)
    nps_favourable: int = Field(ge=0, le=10)
    csat_favourable: int = Field(ge=1, le=5)
    repurchase_rate: float = Field(ge=0.05, le=1)
