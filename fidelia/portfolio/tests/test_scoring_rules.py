"""The pure scoring functions (properties with hypothesis) and derived criteria through the run."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fidelia.parties.tests.factories import organisation, person
from fidelia.portfolio import scoring, services
from fidelia.portfolio.models import PortfolioPosition, ScoringGrid
from fidelia.portfolio.tests.factories import buy, product
from fidelia.sales import services as sales

values = st.dictionaries(st.integers(1, 10_000), st.one_of(st.none(), st.floats(-1e9, 1e9, allow_nan=False)),
                         max_size=60)


@given(values)
def test_quintiles_split_as_evenly_as_ties_allow(data):
    scores = scoring.quintile_scores(data)
    present = [v for v in data.values() if v is not None]
    assert all((scores[k] is None) == (v is None) for k, v in data.items())
    assert all(1 <= s <= 5 for s in scores.values() if s is not None)
    # equal values share a score, and a higher value never scores lower
    pairs = [(v, scores[k]) for k, v in data.items() if v is not None]
    for v1, s1 in pairs:
        for v2, s2 in pairs:
            if v1 < v2:
                assert s1 <= s2
            if v1 == v2:
                assert s1 == s2
    # with distinct values each score holds ⌊n/5⌋ or ⌈n/5⌉ customers
    if len(set(present)) == len(present) and present:
        n = len(present)
        counts = [sum(1 for s in scores.values() if s == q) for q in range(1, 6)]
        assert all(math.floor(n / 5) <= c <= math.ceil(n / 5) for c in counts)


@given(values, st.randoms())
def test_quintiles_are_invariant_to_customer_order(data, rnd):
    items = list(data.items())
    rnd.shuffle(items)
    assert scoring.quintile_scores(dict(items)) == scoring.quintile_scores(data)


@given(st.lists(st.tuples(st.integers(1, 5), st.one_of(st.none(), st.integers(1, 5))), max_size=12))
def test_weighted_score_stays_within_the_scores(pairs):
    result = scoring.weighted_score(pairs)
    known = [s for _, s in pairs if s is not None]
    if not known:
        assert result is None
    else:
        assert min(known) - 1e-9 <= result <= max(known) + 1e-9


def test_thresholds_and_their_checks():
    assert [scoring.threshold_score(v, [1, 3, 5, 10]) for v in (0, 1, 2.9, 3, 9.99, 10, 50, None)] == \
        [1, 2, 2, 3, 4, 5, 5, None]
    assert scoring.check_thresholds([1, 2, 3]) and scoring.check_thresholds([1, 2, 2, 3])
    assert scoring.check_thresholds([1, 2, 3, 4]) == ""


def test_radar_rule_order():
    rule = scoring.radar_strategy
    assert rule(ever_bought=False, bought_recently=False, tcc_value=None) == "acquire"
    assert rule(ever_bought=True, bought_recently=False, tcc_value=0.9) == "reactivate"
    assert rule(ever_bought=True, bought_recently=True, tcc_value=None) == ""
    assert [rule(ever_bought=True, bought_recently=True, tcc_value=t) for t in (0.1, 1 / 3, 0.5, 2 / 3, 1.2)] == \
        ["develop", "accompany", "accompany", "retain", "retain"]


def test_regression_rate_and_migration_table():
    assert scoring.regression_rate([(100, 50), (100, 150), (0, 10), (10, 10)]) == pytest.approx(1 / 3)
    assert scoring.regression_rate([]) is None
    table = scoring.migration_table({1: "tr", 2: "bl", 3: "br"}, {1: "tl", 2: "bl"})
    assert table[("tr", "tl")] == 1 and table[("bl", "bl")] == 1 and sum(table.values()) == 2


def test_derived_criteria_score_from_data(personas):
    """Revenue quintiles and equipment-rate thresholds computed from transactions and contracts."""
    admin, alice = personas.admin, personas.alice
    family = sales.family_create(actor=admin, name="Banque")
    item = product(admin, family, code="LIV")
    product(admin, family, code="PEL")
    today = dt.date.today()
    parties = [person(owner=alice) for _ in range(5)]
    for i, party in enumerate(parties):
        buy(party, item, 100 * (i + 1), today - dt.timedelta(days=10))
    sales.contract_create(party=parties[4], actor=alice, product=item, start_date=today - dt.timedelta(days=400))
    company = organisation(owner=alice, employees=300)
    buy(company, item, 1, today - dt.timedelta(days=900))  # outside the 12 months: revenue 0
    grid = services.grid_create(actor=personas.manager, name="Derived", criteria=[
        services.CriterionInput(name="Size", group="potential", coefficient=3, source="derived", metric="employees",
                                method="thresholds", thresholds=(10, 50, 250, 5000)),
        services.CriterionInput(name="Sales", group="performance", coefficient=2, source="derived",
                                metric="revenue_12m", method="quintiles"),
        services.CriterionInput(name="Equipment", group="performance", coefficient=3, source="derived",
                                metric="equipment_rate", method="thresholds", thresholds=(0.2, 0.4, 0.6, 0.8)),
    ])
    services.portfolio_run(grids=[grid])
    rows = {p.party_id: p for p in PortfolioPosition.objects.filter(grid=grid)}
    # six customers: revenue 0 (the company), 100…500 → quintile scores 1, 1, 2, 3, 4, 5
    assert [rows[p.pk].scores["sales"] for p in parties] == [1, 2, 3, 4, 5]
    assert rows[company.pk].scores == {"size": 4, "sales": 1}  # 300 employees; no relevant product for companies
    assert rows[company.pk].potential == 4 and rows[company.pk].performance == 1
    # persons have no headcount: no potential, so not placed
    assert rows[parties[0].pk].potential is None and rows[parties[0].pk].quadrant == ""
    # equipment: 1 of the 2 strategic products held → 0.5 → 3; the performance mixes both criteria
    assert rows[parties[4].pk].scores["equipment"] == 3
    assert rows[parties[4].pk].performance == pytest.approx((2 * 5 + 3 * 3) / 5)


def test_the_course_grid_is_seeded(db):
    grid = ScoringGrid.objects.get(code="value")
    coefficients = {g: sum(c.coefficient for c in grid.criteria.all() if c.group == g)
                    for g in ("potential", "performance")}
    assert grid.is_default and coefficients == {"potential": 10, "performance": 10}
    assert ScoringGrid.objects.filter(code="fioca").exists()


def test_rfm_and_abc_metrics_are_empty_before_the_analytics_run(personas):
    from fidelia.portfolio.metrics import fetch_metrics

    party = person(owner=personas.alice)
    metrics = fetch_metrics(services.scored_population(), as_of=dt.date.today())[party.pk]
    assert (metrics["rfm_score"], metrics["abc_class"]) == (None, None)


def test_segment_strategy_majority_then_rule():
    from fidelia.portfolio.selectors import _segment_strategy

    assert _segment_strategy({"develop": 1, "accompany": 1}, 0.29) == "develop"  # tie: the rule on the TCC
    assert _segment_strategy({"develop": 1, "accompany": 2}, 0.29) == "accompany"
    assert _segment_strategy({"": 3}, None) == ""


def test_regression_rate_and_segments_from_stored_radar_rows(personas):
    from fidelia.portfolio import selectors

    admin, alice = personas.admin, personas.alice
    family = sales.family_create(actor=admin, name="Crédit")
    item = product(admin, family)
    today = dt.date.today()
    less, more, new = (person(owner=alice) for _ in range(3))
    buy(less, item, 100, today - dt.timedelta(days=400))
    buy(less, item, 40, today - dt.timedelta(days=10))
    buy(more, item, 10, today - dt.timedelta(days=400))
    buy(more, item, 90, today - dt.timedelta(days=10))
    buy(new, item, 5, today - dt.timedelta(days=10))
    services.portfolio_run()
    for user in (alice, personas.analyst):
        view = selectors.radar_overview(user=user, year=today.year)
        assert view.regression_rate == 0.5  # of the two who bought before, one bought less
        assert sum(s.customers for s in view.segments) == 3
        # the seeded grid scores everyone on purchase frequency and sales: segments have an objective
        assert all(s.objective is not None for s in view.segments if s.key)
