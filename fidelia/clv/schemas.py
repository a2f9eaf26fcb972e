"""Input and output schemas of the customer value API (no logic here)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from fidelia.clv.enums import CountModel, EffortKind
from fidelia.core.api import Date, Id, text


class CustomerValueOut(Schema):
    party_id: int
    run_id: int
    frequency: int = Field(..., description="Repeat purchase days (x) up to the run's date.")
    recency_weeks: float = Field(..., description="t_x: weeks from the first to the last purchase day.")
    age_weeks: float = Field(..., description="T: weeks from the first purchase day to the run's date.")
    mean_spend: Decimal
    margin_rate: float
    p_alive: float = Field(..., ge=0, le=1)
    expected_purchases_52w: float
    expected_spend: Decimal
    clv_12m: Decimal = Field(..., description="Discounted expected margin over 12 months (€).")
    clv_horizon: Decimal
    retention_effort: Decimal
    capital: Decimal = Field(..., description="clv_horizon minus the retention effort of the last 12 months.")
    computed_at: dt.datetime


class ValueRunOut(Schema):
    id: int
    created_at: dt.datetime
    as_of: dt.date
    count_model: str
    status: str
    horizon_months: int
    monthly_discount: float
    n_customers: int
    n_repeat_buyers: int
    params: dict[str, float]
    se: dict[str, float | None]
    loglik: float | None
    spend_params: dict[str, float]
    spend_se: dict[str, float | None]
    spend_loglik: float | None
    converged: bool
    warnings: list[str]
    totals: dict[str, float]
    duration_ms: int


class RunDiagnosticsOut(ValueRunOut):
    calibration: dict[str, Any] = Field(..., description="Predicted vs actual holdout purchases per class 0..7+.")


class RunIn(Schema):
    as_of: Date | None = None
    count_model: CountModel = CountModel.BGNBD
    horizon_months: int = Field(36, ge=1, le=120)
    monthly_discount: float = Field(0.01, ge=0, le=0.5)


class EffortOut(Schema):
    id: int
    party_id: int
    kind: str
    amount: Decimal
    date: dt.date
    note: str
    version: int
    created_at: dt.datetime


class EffortIn(Schema):
    party_id: Id
    kind: EffortKind
    amount: Decimal = Field(..., gt=0, le=Decimal("9999999999.99"), decimal_places=2)
    date: Date
    note: text(300) = ""  # type: ignore[valid-type]


class EffortUpdateIn(Schema):
    kind: EffortKind | None = None
    amount: Decimal | None = Field(None, gt=0, le=Decimal("9999999999.99"), decimal_places=2)
    date: Date | None = None
    note: text(300) | None = None  # type: ignore[valid-type]
