"""Input and output schemas of the analytics API (no logic: selectors and services decide)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from fidelia.analytics.enums import MigrationDimension
from fidelia.core.api import Date, Id, Page
from fidelia.parties.schemas import StrictIn

Share = Annotated[float, Field(ge=0, le=1)]


class AnalyticsFiltersIn(Schema):
    """Period and population. Without any, the stored results of the latest run answer (fast)."""

    reference_date: Date | None = Field(None, description="Reference date for recency (default: today).")
    date_from: Date | None = Field(None, description="First day of the period (default: 12 months before date_to).")
    date_to: Date | None = Field(None, description="Last day of the period (default: the reference date).")
    period_months: int = Field(12, ge=1, le=120, description="Length of the default period, in months.")
    team: Id | None = Field(None, description="Only the customers of this team / agency.")
    owner: Id | None = Field(None, description="Only the customers of this owner.")
    family: Id | None = Field(None, description="Only the transactions of this product family.")
    parties: list[Id] | None = Field(None, max_length=10_000, description="Only these customers (a segment).")
    abc_a: float = Field(0.10, ge=0, le=1, description="Share of customers in class A.")
    abc_b: float = Field(0.30, ge=0, le=1, description="Share of customers in class B (C takes the rest).")
    tie_rule: Literal["midrank", "lower", "upper"] = Field(
        "midrank", description="How RFM quintiles score equal values: the tie group's middle (default), "
                               "worst or best position.")


class AnalyticsMetaOut(Schema):
    run_id: int | None
    reference_date: dt.date
    date_from: dt.date
    date_to: dt.date
    computed_at: dt.datetime | None
    source: str = Field(..., description="'stored' (latest run) or 'live' (recomputed for these filters).")
    scope: str = Field(..., description="'base', 'portfolio' (the caller's customers) or 'custom' (filters).")
    customers: int
    excluded: int | None = Field(None, description="Parties with transactions but no positive revenue.")
    total_revenue: float


class ParetoOut(Schema):
    top_fraction: Share
    top_count: int
    top_share: Share
    customers_for_80: int
    share_customers_for_80: Share
    gini: Share
    curve: list[list[float]] = Field(..., description="At most 200 points (customer share, revenue share).")


class AnalyticsClassRowOut(Schema):
    key: str
    count: int
    revenue: float
    share: float = Field(..., description="Share of revenue.")
    customer_share: Share


class AbcOut(Schema):
    cutoffs: list[float]
    classes: list[AnalyticsClassRowOut]


class RfmOut(Schema):
    segments: list[AnalyticsClassRowOut]
    grid: list[list[int]] = Field(..., description="Customers per square: rows R 1–5, columns FM 1–5.")
    score_counts: dict[str, list[int]] = Field(..., description="Customers per score 1–5 for r, f and m.")


class FratDistributionOut(Schema):
    count: int
    mean: float | None
    p10: float | None
    p25: float | None
    median: float | None
    p75: float | None
    p90: float | None


class FratOut(Schema):
    frequency_days: FratDistributionOut
    recency_days: FratDistributionOut
    amount_ratio: FratDistributionOut
    strategic_share: FratDistributionOut
    strategic_histogram: list[int]


class AnalyticsSummaryOut(AnalyticsMetaOut):
    pareto: ParetoOut
    abc: AbcOut
    rfm: RfmOut
    frat: FratOut


class ParetoSummaryOut(AnalyticsMetaOut):
    pareto: ParetoOut


class AbcSummaryOut(AnalyticsMetaOut):
    abc: AbcOut


class RfmSummaryOut(AnalyticsMetaOut):
    rfm: RfmOut


class FratSummaryOut(AnalyticsMetaOut):
    frat: FratOut


class CustomerResultOut(Schema):
    party_id: int
    reference_date: dt.date
    revenue: float | None = Field(..., description="Only for roles that read transactions.")
    margin: float | None = Field(..., description="Only for roles that read margins.")
    orders: int | None
    first_purchase: dt.date | None
    last_purchase: dt.date | None
    rank: int
    cumulative_share: float
    abc_class: str
    recency_days: int
    r_score: int
    f_score: int
    m_score: int
    rfm_cell: str
    rfm_segment: str
    frat_frequency_days: float | None
    frat_recency_days: int
    frat_amount_ratio: float | None
    frat_strategic_share: float | None


class ClassMemberOut(Schema):
    party_id: int
    display_name: str
    revenue: float | None
    orders: int | None
    rank: int
    abc_class: str
    rfm_cell: str
    rfm_segment: str
    last_purchase: dt.date | None


class ClassMemberPage(Page[ClassMemberOut]):
    pass


class CustomerSnapshotOut(Schema):
    period: dt.date
    revenue: float | None
    orders: int | None
    abc_class: str
    r_score: int
    f_score: int
    m_score: int
    rfm_segment: str


class MigrationTableIn(Schema):
    dimension: MigrationDimension = MigrationDimension.ABC
    from_period: Date = Field(..., description="A day of the first month.")
    to_period: Date = Field(..., description="A day of the second month.")


class MigrationTableOut(Schema):
    dimension: str
    from_period: dt.date
    to_period: dt.date
    keys: list[str]
    cells: dict[str, dict[str, int]] = Field(..., description="Customers moving from a key (row) to a key (column).")


class AnalysisRunIn(StrictIn):
    reference_date: Date | None = None
    period_months: int = Field(12, ge=1, le=120)


class AnalysisRunOut(Schema):
    id: int
    status: str
    trigger: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    reference_date: dt.date
    date_from: dt.date
    date_to: dt.date
    customers: int
    excluded: int
    durations: dict[str, float]


class AnalysisRunQueuedOut(Schema):
    queued: bool = Field(..., description="Always true: the run was handed to the job queue.")
    latest: AnalysisRunOut | None = Field(..., description="The latest completed run (the new one where no worker is set).")
