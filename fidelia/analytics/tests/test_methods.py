"""The pure methods, without a database: stated rules and properties (hypothesis)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fidelia.analytics import methods

values = st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=300)
small_values = st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=300)


@given(st.lists(st.integers(min_value=-10**6, max_value=10**6), min_size=1, max_size=300, unique=True))
def test_quintiles_without_ties_are_as_even_as_possible(xs: list[int]) -> None:
    scores = methods.quintile_scores(xs)
    counts = np.bincount(scores, minlength=6)[1:]
    n = len(xs)
    assert set(counts.tolist()) <= {n // 5, -(-n // 5)}
    assert counts.sum() == n


@given(small_values)
def test_quintiles_keep_ties_together_and_as_even_as_ties_allow(xs: list[int]) -> None:
    scores = methods.quintile_scores(xs)
    arr = np.array(xs)
    for v in set(xs):
        assert len(set(scores[arr == v].tolist())) == 1          # equal values, equal scores
    order = np.argsort(arr, kind="stable")
    assert np.all(np.diff(scores[order]) >= 0)                     # a better value never scores lower
    n, largest_tie = len(xs), int(np.bincount(arr).max())
    counts = np.bincount(scores, minlength=6)[1:]
    assert np.all(np.abs(counts - n / 5) <= largest_tie + 1)


@given(small_values, st.randoms(use_true_random=False))
def test_scores_do_not_depend_on_customer_order(xs: list[int], rnd) -> None:
    perm = list(range(len(xs)))
    rnd.shuffle(perm)
    shuffled = [xs[i] for i in perm]
    for better in (True, False):
        assert methods.quintile_scores(shuffled, higher_is_better=better).tolist() == \
            methods.quintile_scores(xs, higher_is_better=better)[perm].tolist()


def test_quintile_rule_on_a_small_example() -> None:
    assert methods.quintile_scores([10, 20, 30, 40, 50, 60, 70]).tolist() == [1, 2, 2, 3, 4, 4, 5]
    # four equal values sit in the first quintile together (their middle is at 20 %)
    assert methods.quintile_scores([1, 1, 1, 1, 2, 3, 4, 5, 6, 7]).tolist() == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    assert methods.quintile_scores([3, 2, 1], higher_is_better=False).tolist() == [1, 3, 5]


@settings(max_examples=60)
@given(values)
def test_pareto_and_abc_shares_add_up_to_100_percent(xs: list[int]) -> None:
    p = methods.pareto(xs)
    assert p.cumulative_share.max() == pytest.approx(1.0)
    assert p.curve_y[-1] == pytest.approx(1.0) and p.curve_x[-1] == pytest.approx(1.0)
    assert 0.0 <= p.gini < 1.0
    a = methods.abc(xs)
    assert sum(a.shares.values()) == pytest.approx(1.0)
    assert sum(a.counts.values()) == len(xs) and sum(a.revenue.values()) == sum(xs)
    assert len(p.downsampled_curve(200)) <= 200


@given(values, st.randoms(use_true_random=False))
def test_abc_classes_do_not_depend_on_customer_order(xs: list[int], rnd) -> None:
    ids = np.arange(100, 100 + len(xs))
    perm = np.array(rnd.sample(range(len(xs)), len(xs)))
    a = methods.abc(np.array(xs), ids)
    b = methods.abc(np.array(xs)[perm], ids[perm])
    assert b.classes.tolist() == a.classes[perm].tolist()


@pytest.mark.parametrize(("n", "expected"), [
    (20, (2, 6, 12)), (10, (1, 3, 6)), (15, (2, 4, 9)),  # 1.5 → 2, 6.0 − 2 = 4
    (5, (1, 1, 3)),                                      # 0.5 → 1, 2.0 − 1 = 1
    (4, (0, 2, 2)), (1, (0, 0, 1)), (0, (0, 0, 0)),       # 0.4 → 0, 1.6 → 2
])
def test_abc_counts_round_cumulative_cutoffs_half_up(n: int, expected: tuple[int, int, int]) -> None:
    assert methods.abc_counts(n) == expected


def test_abc_refuses_cutoffs_not_adding_up() -> None:
    with pytest.raises(ValueError):
        methods.abc_counts(10, (0.2, 0.3, 0.3))


def test_pareto_of_equal_revenues_has_no_concentration() -> None:
    p = methods.pareto([100] * 10)
    assert p.gini == pytest.approx(0.0) and p.top_share == pytest.approx(0.2) and p.customers_for_80 == 8


def test_rfm_segment_map_is_total_and_named() -> None:
    names = {methods.rfm_segment(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)}
    assert names == set(methods.SEGMENTS)
    assert methods.rfm_segment(5, 5, 5) == "champions"
    assert methods.rfm_segment(1, 1, 1) == "lost"
    assert methods.rfm_segment(1, 5, 5) == "cant_lose"
    assert methods.rfm_segment(5, 1, 1) == "new"
    assert methods.rfm_segment(2, 4, 3) == "at_risk"        # FM = (4 + 3) / 2 = 3.5 → 4


def test_frat_follows_the_course_definitions() -> None:
    # customer 1: one order; customer 2: three orders over 20 days, last order 50 of 90 bought
    f = methods.frat(orders=[1, 3], first_day=[5, 10], last_day=[5, 30], last_order=[10, 50], gross=[10, 90],
                     strategic=[0, 45])
    assert np.isnan(f.frequency_days[0]) and f.frequency_days[1] == 10.0     # 20 days / 2 intervals
    assert f.recency_days.tolist() == [0, 20]                                # first → last order
    assert f.amount_ratio.tolist() == pytest.approx([1.0, 50 / 30])          # last / average order
    assert f.strategic_share.tolist() == [0.0, 0.5]                          # by amount


def test_the_other_tie_rules_score_a_tie_group_by_its_worst_or_best_position() -> None:
    values = [1, 1, 1, 1, 2, 3, 4, 5, 6, 7]
    assert methods.quintile_scores(values, tie_rule="lower").tolist() == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    assert methods.quintile_scores(values, tie_rule="upper").tolist() == [2, 2, 2, 2, 3, 3, 4, 4, 5, 5]
    # without ties every rule is the same split
    assert methods.quintile_scores(range(10), tie_rule="lower").tolist() == \
        methods.quintile_scores(range(10), tie_rule="upper").tolist() == methods.quintile_scores(range(10)).tolist()
    with pytest.raises(ValueError):
        methods.quintile_scores(values, tie_rule="random")


@given(small_values, st.sampled_from(methods.TIE_RULES))
def test_every_tie_rule_keeps_ties_together_and_scores_1_to_5(xs: list[int], rule: str) -> None:
    scores = methods.quintile_scores(xs, tie_rule=rule)
    arr = np.array(xs)
    assert scores.min() >= 1 and scores.max() <= 5
    for v in set(xs):
        assert len(set(scores[arr == v].tolist())) == 1
