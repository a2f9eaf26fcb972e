"""API schemas of portfolio management (no logic: shapes only)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from fidelia.core.api import Id, text
from fidelia.parties.schemas import StrictIn
from fidelia.portfolio.enums import CriterionGroup, CriterionSource, Metric, RuleMethod

Score = Annotated[int, Field(ge=1, le=5)]
Coefficient = Annotated[int, Field(ge=1, le=100)]
Limit = Annotated[float, Field(allow_inf_nan=False)]


class CriterionIn(StrictIn):
    name: text(120)
    code: text(40) = ""
    group: CriterionGroup
    coefficient: Coefficient = 2
    source: CriterionSource = CriterionSource.ENTERED
    metric: Metric | Literal[""] = ""
    method: RuleMethod | Literal[""] = ""
    thresholds: list[Limit] = Field(default_factory=list, max_length=4,
                                    description="Four ascending limits for the thresholds rule.")


class CriterionOut(Schema):
    code: str
    name: str
    group: str
    coefficient: int
    source: str
    metric: str
    method: str
    thresholds: list[float]


class GridIn(StrictIn):
    name: text(120)
    code: text(40) = ""
    description: text(2000) = ""
    criteria: list[CriterionIn] = Field(..., min_length=2, max_length=50)


class GridUpdateIn(StrictIn):
    name: text(120)
    description: text(2000) = ""
    criteria: list[CriterionIn] = Field(..., min_length=2, max_length=50)


class GridOut(Schema):
    id: int
    code: str
    name: str
    description: str
    is_default: bool
    version: int
    last_period: dt.date | None
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_criteria(obj: Any) -> list[Any]:
        return list(obj.criteria.all())


class MatrixPointOut(Schema):
    party_id: int | None
    name: str
    x: float
    y: float
    revenue: float
    share: float = Field(..., description="Share of the revenue of the customers shown, in %.")
    diameter: float = Field(..., description="d = ½·√share.")
    quadrant: str
    strategy: str
    policy: str


class MatrixOut(Schema):
    grid: str
    period: dt.date | None
    x: str
    y: str
    x_label: str
    y_label: str
    x_mean: float | None
    y_mean: float | None
    quadrants: dict[str, str]
    unplaced: int
    points: list[MatrixPointOut]


class ScoresIn(StrictIn):
    scores: dict[Annotated[str, Field(max_length=40)], Score | None] = Field(
        ..., description="Entered criterion code → 1–5, or null to clear.", max_length=50)


class ScoresOut(Schema):
    changed: int


class PotentialIn(StrictIn):
    family_id: Id
    year: int = Field(..., ge=1990, le=2100)
    amount: Decimal | None = Field(..., ge=Decimal("0.01"), max_digits=14, decimal_places=2, allow_inf_nan=False,
                                   description="The customer's total purchases in the family that year, "
                                               "from every supplier; null clears it.")


class PotentialOut(Schema):
    family_id: int
    family: str
    year: int
    amount: Decimal
    our_sales: float
    tcc: float | None


class TrajectoryPointOut(Schema):
    period: str = Field(..., description="The month, YYYY-MM.")
    x: float
    y: float


class TrajectoryOut(Schema):
    party_id: int
    name: str
    points: list[TrajectoryPointOut]


class CustomerPortfolioOut(Schema):
    party_id: int
    grids: list[dict[str, Any]]
    radar: list[dict[str, Any]]
    potentials: list[PotentialOut]


class RadarRowOut(Schema):
    party_id: int | None
    name: str
    our_sales: float
    purchase_potential: float | None
    tcc: float | None
    revenue: float
    strategy: str
    quadrant: str


class RadarSegmentOut(Schema):
    key: str
    label: str
    customers: int
    our_sales: float
    potential: float
    revenue: float
    tcc: float | None
    objective: float | None
    strategy: str


class RadarOut(Schema):
    year: int
    portfolio_tcc: float | None
    regression_rate: float | None
    equipment_rate: float | None
    strategy_counts: dict[str, int]
    segments: list[RadarSegmentOut]
    customers: list[RadarRowOut]


class RunOut(Schema):
    queued: bool
