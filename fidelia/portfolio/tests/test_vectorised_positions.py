"""The array computation of a month's positions equals the rule applied customer by customer.

The reference below is written the plain way (one customer at a time, Python numbers, sums in the
population's order) from the analyst's guide; the property draws metrics full of ties and gaps.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fidelia.portfolio.enums import QUADRANT_STRATEGY
from fidelia.portfolio.metrics import METRIC_NAMES, MetricColumns
from fidelia.portfolio.models import Criterion
from fidelia.portfolio.services import positions_of

PERIOD = dt.date(2026, 6, 1)


def reference(criteria: list[Criterion], metrics: dict[int, dict[str, Any]],
              entered: dict[tuple[int, int], int]) -> dict[int, tuple[Any, ...]]:
    """{party: (potential, performance, revenue, share, scores, quadrant, strategy, policy)}."""
    def score(c: Criterion, pk: int) -> int | None:
        if c.source == "entered":
            return entered.get((c.pk, pk))
        value = metrics[pk][c.metric]
        if value is None:
            return None
        if c.method == "thresholds":
            return 1 + bisect_right(sorted(c.thresholds), value)
        known = [m[c.metric] for m in metrics.values() if m[c.metric] is not None]
        return 1 + (5 * sum(1 for v in known if v < value)) // len(known)

    rows = {}
    for pk in metrics:
        scores, groups = {}, {"potential": [0, 0], "performance": [0, 0]}
        for c in criteria:
            s = score(c, pk)
            if s is not None:
                scores[c.code] = s
                groups[c.group][0] += c.coefficient * s
                groups[c.group][1] += c.coefficient
        potential, performance = (a / b if b else None for a, b in groups.values())
        rows[pk] = [potential, performance, round(metrics[pk]["revenue_12m"], 2), 0.0, scores, "", "", ""]
    placed = [r for r in rows.values() if r[0] is not None and r[1] is not None]
    if placed:
        x_mean = sum(r[0] for r in placed) / len(placed)
        y_mean = sum(r[1] for r in placed) / len(placed)
        total = sum(r[2] for r in placed)
        for r in placed:
            r[3] = 100.0 * r[2] / total if total > 0 else 0.0
            r[5] = ("t" if r[1] >= y_mean else "b") + ("r" if r[0] >= x_mean else "l")
            r[6], r[7] = QUADRANT_STRATEGY[r[5]]
    return {pk: tuple(r) for pk, r in rows.items()}


def columns(metrics: dict[int, dict[str, Any]]) -> MetricColumns:
    def column(name: str) -> np.ndarray:
        return np.array([np.nan if m[name] is None else m[name] for m in metrics.values()], dtype=np.float64)

    return MetricColumns(ids=np.array(list(metrics), dtype=np.int64), values={n: column(n) for n in METRIC_NAMES})


# few distinct values, so that ties are the rule rather than the exception
values = st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0, 3.0, 7.25, 12.5, 250.0, 1e6]))
money = st.sampled_from([-20.0, 0.0, 0.1, 9.99, 10.005, 150.0, 1234.565, 99999.99])


@st.composite
def populations(draw: Any) -> tuple[list[Criterion], dict[int, dict[str, Any]], dict[tuple[int, int], int]]:
    ids = draw(st.lists(st.integers(1, 10_000), min_size=1, max_size=40, unique=True))  # any order, as from SQL
    metrics = {}
    for pk in ids:
        m = {name: draw(values) for name in METRIC_NAMES}
        m["revenue_12m"], m["margin_12m"] = draw(money), draw(money)
        m["frequency_12m"] = float(draw(st.integers(0, 4)))
        metrics[pk] = m
    criteria = [
        Criterion(pk=1, code="entered-a", group="potential", coefficient=draw(st.integers(1, 100)), source="entered"),
        Criterion(pk=2, code="quintile-f", group="potential", coefficient=draw(st.integers(1, 100)),
                  source="derived", metric="frequency_12m", method="quintiles"),
        Criterion(pk=3, code="quintile-x", group=draw(st.sampled_from(["potential", "performance"])),
                  coefficient=draw(st.integers(1, 100)), source="derived",
                  metric=draw(st.sampled_from(["seniority", "employees", "rfm_score", "equipment_rate"])),
                  method="quintiles"),
        Criterion(pk=4, code="thresholds", group="performance", coefficient=draw(st.integers(1, 100)),
                  source="derived", metric=draw(st.sampled_from(["revenue_12m", "seniority", "employees"])),
                  method="thresholds", thresholds=draw(st.sampled_from([[0, 1, 3, 12.5], [0.5, 7.25, 250, 1e6]]))),
        Criterion(pk=5, code="entered-b", group="performance", coefficient=draw(st.integers(1, 100)),
                  source="entered"),
    ]
    entered = {(c, pk): draw(st.integers(1, 5)) for c in (1, 5) for pk in ids if draw(st.booleans())}
    entered[(1, 99_999)] = 3  # a score of someone outside the population is ignored
    return criteria, metrics, entered


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations())
def test_vectorised_positions_equal_the_per_customer_rule(population):
    criteria, metrics, entered = population
    keys = list(entered)
    arrays = tuple(np.array(a, dtype=np.int64) for a in ([k[0] for k in keys], [k[1] for k in keys],
                                                         list(entered.values())))
    got = {row[1]: row for row in positions_of(criteria, columns(metrics), arrays, grid_id=7, period=PERIOD).rows()}
    expected = reference(criteria, metrics, entered)
    assert list(got) == list(metrics)
    for pk, (potential, performance, revenue, share, scores, quadrant, strategy, policy) in expected.items():
        row = got[pk]
        assert row[0] == 7 and row[2] == PERIOD
        assert (row[3], row[4], row[5]) == (potential, performance, revenue)
        assert (row[10], row[11], row[12], row[13], row[14]) == (share, scores, quadrant, strategy, policy)
        assert list(row[11]) == list(scores)  # criteria in the grid's order
        m = metrics[pk]
        assert (row[6], row[7], row[8], row[9]) == (round(m["margin_12m"], 2), int(m["frequency_12m"]),
                                                    m["seniority"], m["equipment_rate"])
