"""The pure maths of portfolio management: no ORM here, so every formula is tested without a database.

- weighted score of a group = Σ(coefficient × score) / Σ coefficients, over the criteria that have a
  score (a criterion without a score for the customer is left out of both sums, so a missing entry
  neither drags the customer down nor up); None when no criterion of the group has a score;
- quadrants are taken against the portfolio averages; a value equal to the average counts as high;
- bubble diameter d = ½·√n, n = the customer's share of the portfolio's revenue in %;
- TCC = our sales to the customer in a family and year / the customer's total purchases there.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_noop

from fidelia.portfolio.enums import Quadrant, RadarStrategy

# RADAR thresholds on the TCC (our share of the customer's purchases in the category).
TCC_DEVELOP_BELOW = 1 / 3
TCC_RETAIN_FROM = 2 / 3


def quintile_scores(values: Mapping[int, float | None]) -> dict[int, int | None]:
    """1–5 by quintile of the non-missing values: score = 1 + ⌊5 · (values strictly lower) / n⌋.

    Tie rule (deterministic, order-free): equal values get the same score, the one of the first of
    them in ascending order; so 5 distinct values score 1..5 and a constant metric scores 1 for all.
    Missing values (None) score None.
    """
    present = sorted(v for v in values.values() if v is not None)
    n = len(present)
    return {key: None if v is None else 1 + (5 * bisect_left(present, v)) // n for key, v in values.items()}


def quintile_score_array(values: np.ndarray) -> np.ndarray:
    """`quintile_scores` of an array of known values, in the same order (same tie rule)."""
    n = len(values)
    if not n:
        return np.zeros(0, dtype=np.int64)
    lower = np.searchsorted(np.sort(values, kind="stable"), values, side="left")
    return 1 + (5 * lower) // n


def threshold_score(value: float | None, thresholds: Sequence[float]) -> int | None:
    """1 + the number of limits the value reaches (limits ascending; 4 limits give 1–5)."""
    if value is None:
        return None
    return 1 + bisect_right(sorted(thresholds), value)


def check_thresholds(thresholds: Sequence[float]) -> str:
    """'' when the limits are usable (4 strictly ascending numbers), else why not."""
    if len(thresholds) != 4:
        return gettext_noop("four limits are needed")
    if any(not isinstance(t, int | float) or isinstance(t, bool) or not math.isfinite(t) for t in thresholds):
        return gettext_noop("every limit must be a number")
    if any(b <= a for a, b in zip(thresholds, thresholds[1:], strict=False)):
        return gettext_noop("limits must be strictly ascending")
    return ""


def weighted_score(pairs: Iterable[tuple[int, int | None]]) -> float | None:
    """Σ(coef × score) / Σ coef over the (coefficient, score) pairs whose score is known."""
    known = [(c, s) for c, s in pairs if s is not None]
    total = sum(c for c, _ in known)
    return sum(c * s for c, s in known) / total if total else None


def quadrant_of(x: float, y: float, x_mean: float, y_mean: float) -> str:
    """tr/tl/br/bl (right = x at or above its mean, top = y at or above its mean)."""
    return ("t" if y >= y_mean else "b") + ("r" if x >= x_mean else "l")


def bubble_diameter(share_pct: float) -> float:
    """d = ½·√n, n the share of revenue in % (a refund-only customer, n < 0, gets the smallest bubble)."""
    return 0.5 * math.sqrt(max(share_pct, 0.0))


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class Placed:
    """A point against the averages of the points placed with it."""

    key: int
    x: float
    y: float
    share: float
    diameter: float
    quadrant: str


@dataclass(frozen=True)
class Placement:
    x_mean: float | None
    y_mean: float | None
    points: tuple[Placed, ...]


def place(points: Sequence[tuple[int, float, float, float]]) -> Placement:
    """(key, x, y, revenue) → averages, quadrants, shares of the revenue of these points and diameters."""
    x_mean, y_mean = mean(p[1] for p in points), mean(p[2] for p in points)
    total = sum(p[3] for p in points)
    placed = []
    for key, x, y, revenue in points:
        share = 100.0 * revenue / total if total > 0 else 0.0
        placed.append(Placed(key=key, x=x, y=y, share=share, diameter=bubble_diameter(share),
                             quadrant=quadrant_of(x, y, x_mean, y_mean)))  # type: ignore[arg-type]
    return Placement(x_mean=x_mean, y_mean=y_mean, points=tuple(placed))


def tcc(our_sales: float, total_purchases: float | None) -> float | None:
    """Competitive contribution rate, 0–1 (above 1 when the entered total is below what we sold)."""
    if not total_purchases or total_purchases <= 0:
        return None
    return our_sales / total_purchases


def radar_strategy(*, ever_bought: bool, bought_recently: bool, tcc_value: float | None) -> str:
    """The RADAR rule, applied in this order:
    1. never bought from us → Acquire;  2. bought before, nothing in the last 12 months → Reactivate;
    3. TCC unknown (no purchase potential entered) → '' (no suggestion);
    4. TCC < ⅓ → Develop (equip: most of their spending goes elsewhere);
    5. TCC < ⅔ → Accompany (tailored offers to grow the share);  6. otherwise → Retain.
    """
    if not ever_bought:
        return RadarStrategy.ACQUIRE
    if not bought_recently:
        return RadarStrategy.REACTIVATE
    if tcc_value is None:
        return ""
    if tcc_value < TCC_DEVELOP_BELOW:
        return RadarStrategy.DEVELOP
    if tcc_value < TCC_RETAIN_FROM:
        return RadarStrategy.ACCOMPANY
    return RadarStrategy.RETAIN


def regression_rate(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Share of customers who bought in the previous period and bought less in the current one."""
    previous_buyers = [(p, c) for p, c in pairs if p > 0]
    if not previous_buyers:
        return None
    return sum(1 for p, c in previous_buyers if c < p) / len(previous_buyers)


def migration_table(before: Mapping[int, str], after: Mapping[int, str]) -> dict[tuple[str, str], int]:
    """Counts of customers by (quadrant before, quadrant after), over customers placed at both dates."""
    table = {(a, b): 0 for a in Quadrant.values for b in Quadrant.values}
    for key, was in before.items():
        now = after.get(key)
        if was and now:
            table[(was, now)] += 1
    return table
