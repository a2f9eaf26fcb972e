from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fidelia.surveys import metrics


def test_nps_exact():
    # 5 promoters (9, 10), 3 passives (7, 8), 2 detractors (0–6) out of 10: 50 % − 20 % = 30.
    result = metrics.nps([10, 9, 9, 10, 9, 7, 8, 8, 6, 0])
    assert (result.promoters, result.passives, result.detractors, result.nps) == (5, 3, 2, 30.0)
    assert metrics.nps([]).nps is None
    assert metrics.nps([6] * 4).nps == -100.0
    assert metrics.nps([7, 8]).nps == 0.0


def test_csat_exact():
    assert metrics.csat([5, 4, 3, 2]) == (4, 50.0)
    assert metrics.csat([]) == (0, None)
    with pytest.raises(ValueError):
        metrics.csat([0])
    with pytest.raises(ValueError):
        metrics.nps([11])


def test_detractor_thresholds():
    assert metrics.is_detractor(csat_score=None, nps_score=6)
    assert not metrics.is_detractor(csat_score=None, nps_score=7)
    assert metrics.is_detractor(csat_score=2, nps_score=None)
    assert not metrics.is_detractor(csat_score=3, nps_score=None)


@given(st.lists(st.integers(0, 10), min_size=1, max_size=200))
def test_nps_properties(scores):
    result = metrics.nps(scores)
    assert result.promoters + result.passives + result.detractors == len(scores)
    assert -100 <= result.nps <= 100
    expected = 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)
    assert result.nps == pytest.approx(expected)
