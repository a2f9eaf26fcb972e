"""Result dataclasses of the analytics methods: plain values and NumPy arrays, no ORM.

The pure functions of `methods.py` return them; selectors and services store, summarise and
serve them. Per-customer arrays are aligned on `party_ids` (in the order the input came in,
unless a field says it is ranked).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
StrArray = npt.NDArray[np.str_]


@dataclass(frozen=True)
class AnalysisOptions:
    """What to analyse: a period (inclusive dates), a reference date and a population.

    `date_to` defaults to the reference date and `date_from` to 12 months before it (the day after
    the same date a year earlier, so the period is exactly 12 months). The population is the
    user's analytics scope narrowed by `team_id`, `owner_id`, `party_ids` (segments), and
    `family_id` narrows the transactions to one product family. `tie_rule` chooses how RFM
    quintiles score equal values (see `methods.quintile_scores`).
    """

    reference_date: dt.date | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    period_months: int = 12
    team_id: int | None = None
    owner_id: int | None = None
    family_id: int | None = None
    party_ids: tuple[int, ...] | None = None
    abc_cutoffs: tuple[float, float, float] = (0.10, 0.30, 0.60)
    tie_rule: str = "midrank"   # quintile tie rule: "midrank" (stored results), "lower" or "upper"

    @property
    def is_default(self) -> bool:
        """True when the stored results answer (base-wide population, default period and cut-offs)."""
        return (self.date_from is None and self.date_to is None and self.period_months == 12
                and self.team_id is None and self.owner_id is None and self.family_id is None
                and self.party_ids is None and self.abc_cutoffs == (0.10, 0.30, 0.60)
                and self.tie_rule == "midrank")


@dataclass(frozen=True)
class CustomerRows:
    """Per-customer aggregates fetched from the transactions of a period (one entry per party).

    Amounts are in cents (exact integer arithmetic for shares and comparisons). An *order* is a
    distinct purchase day with a positive amount (CDNOW and tills record several lines for one
    visit); refunds (negative amounts) reduce `revenue` and `margin` but are not orders.
    Days are proleptic ordinals (`datetime.date.toordinal()`).
    """

    party_ids: IntArray
    revenue: IntArray            # net of refunds, cents
    margin: IntArray             # net of refunds, cents
    orders: IntArray             # distinct days with a purchase
    first_day: IntArray          # first purchase day in the period
    last_day: IntArray           # last purchase day in the period
    last_order: IntArray         # amount of the last purchase day, cents
    gross: IntArray              # purchases only (no refunds), cents
    strategic: IntArray          # purchases of strategic products, cents

    def __len__(self) -> int:
        return int(self.party_ids.shape[0])

    def take(self, mask: npt.NDArray[np.bool_]) -> CustomerRows:
        """The rows selected by a boolean mask (e.g. customers with a positive revenue)."""
        return CustomerRows(**{name: getattr(self, name)[mask] for name in self.__dataclass_fields__})

    @classmethod
    def empty(cls) -> CustomerRows:
        zero = np.zeros(0, dtype=np.int64)
        return cls(*(zero for _ in cls.__dataclass_fields__))


@dataclass(frozen=True)
class ParetoResult:
    """Customers ranked by revenue (descending, ties by party id) and the concentration figures.

    `rank[i]` is the 1-based rank of input customer i, `cumulative_share[i]` the share of revenue
    made by the customers ranked up to and including i. `curve_x`/`curve_y` is the whole Lorenz /
    Pareto curve (customer share, revenue share), starting at (0, 0).
    """

    n: int
    total: int                   # cents
    rank: IntArray
    cumulative_share: FloatArray
    top_share: float             # share of revenue of the top `top_fraction` of customers
    top_count: int               # how many customers that is (rounded half up, at least 1)
    customers_for_80: int        # fewest customers making at least 80 % of revenue
    share_customers_for_80: float
    gini: float
    curve_x: FloatArray
    curve_y: FloatArray
    top_fraction: float = 0.20

    def downsampled_curve(self, points: int = 200) -> list[list[float]]:
        """At most `points` points of the curve, always including both ends."""
        if self.curve_x.shape[0] <= points:
            idx = np.arange(self.curve_x.shape[0])
        else:
            idx = np.unique(np.linspace(0, self.curve_x.shape[0] - 1, points).round().astype(np.int64))
        return [[round(float(self.curve_x[i]), 6), round(float(self.curve_y[i]), 6)] for i in idx]


@dataclass(frozen=True)
class AbcResult:
    """ABC classes (course rule 10/30/60 by number of customers, ranked by revenue).

    Counts per class come from cumulative cut-offs rounded half up: A has round(0.10·n) customers,
    A+B round(0.40·n), C the rest; so the counts always add up to n. Equal revenues at a boundary
    are split by party id (the lower id ranks first), which keeps the result deterministic.
    """

    classes: StrArray            # "A", "B" or "C" per input customer
    counts: dict[str, int]
    revenue: dict[str, int]      # cents per class
    shares: dict[str, float]     # share of revenue per class (sums to 1 when total > 0)
    cutoffs: tuple[float, float, float]


@dataclass(frozen=True)
class RfmResult:
    """RFM values, 1–5 scores, cells "R-F-M" and named segments per customer.

    R = days from the last purchase to the reference date (lower is better), F = number of
    orders (distinct purchase days), M = revenue net of refunds (cents).
    """

    recency_days: IntArray
    frequency: IntArray
    monetary: IntArray
    r_score: IntArray
    f_score: IntArray
    m_score: IntArray
    cells: StrArray
    segments: StrArray
    segment_counts: dict[str, int]
    segment_revenue: dict[str, int]   # cents


@dataclass(frozen=True)
class FratResult:
    """FRAT exactly as the course defines it, per customer.

    frequency = average delay between purchases in days ((last − first) / (orders − 1)), NaN for a
    single order; recency = the gap between the first and the last order, in days; amount = last
    order / average order; type = share of strategic products in what was bought, by amount.
    """

    frequency_days: FloatArray
    recency_days: IntArray
    amount_ratio: FloatArray
    strategic_share: FloatArray
    distributions: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalysisResult:
    """All four methods over one population, aligned on `rows.party_ids`."""

    options: AnalysisOptions
    reference_date: dt.date
    date_from: dt.date
    date_to: dt.date
    rows: CustomerRows
    pareto: ParetoResult
    abc: AbcResult
    rfm: RfmResult
    frat: FratResult
    excluded: int = 0            # parties with transactions but no positive revenue in the period
