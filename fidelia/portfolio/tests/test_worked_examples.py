"""DOMAIN.md §6 worked examples, end to end through the real services: weighted scoring and TCC."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from django.urls import reverse

from fidelia.parties.tests.factories import person
from fidelia.portfolio import selectors, services
from fidelia.portfolio.models import PortfolioPosition, RadarPosition
from fidelia.portfolio.tests.factories import buy, course_grid, enter, product
from fidelia.sales import services as sales

AS_OF = dt.date(2026, 6, 15)
# (potential scores, performance scores) per criterion, in the order of the grid; each row's weighted
# score is the course's sample position, built with uneven scores so the weights matter.
SAMPLE = {
    "A": ([5, 5, 5, 5, 5], [5, 5, 3, 4, 4], (5, 4), 36),
    "B": ([3, 5, 4, 4, 5], [4, 4, 4, 4, 4], (4, 4), 25),
    "C": ([3, 3, 3, 3, 3], [1, 5, 3, 3, 5], (3, 3), 16),
    "D": ([1, 2, 2, 3, 1], [1, 1, 1, 1, 1], (2, 1), 9),
    "E": ([1, 1, 1, 1, 1], [5, 5, 5, 5, 5], (1, 5), 14),
}


@pytest.fixture
def course(personas):
    grid = course_grid(personas.manager)
    family = sales.family_create(actor=personas.admin, name="Équipements")
    item = product(personas.admin, family)
    parties = {}
    for name, (pot, perf, _position, revenue) in SAMPLE.items():
        parties[name] = person(owner=personas.alice, last_name=f"Client {name}")
        enter(personas.alice, parties[name], grid, pot, perf)
        buy(parties[name], item, revenue, AS_OF - dt.timedelta(days=30))
    services.portfolio_run(as_of=AS_OF, grids=[grid])
    return grid, parties


def test_weighted_scores_give_the_course_positions_quadrants_and_bubbles(course):
    grid, parties = course
    stored = {p.party_id: p for p in PortfolioPosition.objects.filter(grid=grid)}
    for name, (_pot, _perf, (potential, performance), revenue) in SAMPLE.items():
        row = stored[parties[name].pk]
        assert (row.potential, row.performance) == (potential, performance), name
        assert row.revenue_share == pytest.approx(revenue)  # revenues sum to 100
    # quadrant lines at the portfolio averages: potential 15/5 = 3.0, performance 17/5 = 3.4
    matrix = selectors.portfolio_matrix(user=course[1]["A"].owner, grid=grid)
    assert (matrix.x_mean, matrix.y_mean) == (pytest.approx(3.0), pytest.approx(3.4))
    by_name = {parties[n].display_name: n for n in parties}
    quadrants = {by_name[p.name]: p.quadrant for p in matrix.points}
    assert quadrants == {"A": "tr", "B": "tr", "C": "br", "D": "bl", "E": "tl"}
    diameters = {by_name[p.name]: p.diameter for p in matrix.points}
    assert diameters == {"A": pytest.approx(3.0), "B": pytest.approx(2.5), "C": pytest.approx(2.0),
                         "D": pytest.approx(1.5), "E": pytest.approx(0.5 * math.sqrt(14))}
    # the stored strategy follows the value quadrant
    assert {n: stored[parties[n].pk].strategy for n in parties} == {
        "A": "loyalty", "B": "loyalty", "C": "multi_equipment", "D": "termination", "E": "retention"}
    assert {n: stored[parties[n].pk].policy for n in parties} == {
        "A": "loyalty", "B": "loyalty", "C": "reconquest", "D": "abandonment", "E": "rationalisation"}


def test_chart_json_follows_the_bubble_matrix_contract(course):
    grid, parties = course
    chart = selectors.portfolio_matrix(user=parties["A"].owner, grid=grid).chart()
    assert set(chart) == {"x_label", "y_label", "x_mean", "y_mean", "x_range", "y_range", "quadrants", "points", "paths"}
    assert chart["x_range"] == [0.5, 5.5] and chart["y_range"] == [0.5, 5.5]
    assert set(chart["quadrants"]) == {"tl", "tr", "bl", "br"}
    point = next(p for p in chart["points"] if p["name"] == parties["A"].display_name)
    assert point["url"] == reverse("parties:detail", args=[parties["A"].pk]) and point["size"] == pytest.approx(3.0)


# TCC exercise: sales in millions by supplier (rows) to customers λ ξ μ η Σ (columns); we are A.
SUPPLIERS = {"A": [30, 50, 40, 20, 10], "B": [60, 40, 30, 20, 40], "C": [30, 10, 60, 40, 50],
             "D": [40, 50, 20, 10, 20]}
CUSTOMERS = ["λ", "ξ", "μ", "η", "Σ"]


def test_tcc_exercise(personas):
    admin, alice = personas.admin, personas.alice
    family = sales.family_create(actor=admin, name="Machines")
    item = product(admin, family)
    year = AS_OF.year - 1
    parties = {}
    for i, name in enumerate(CUSTOMERS):
        parties[name] = person(owner=alice, last_name=name)
        buy(parties[name], item, SUPPLIERS["A"][i] * 1_000_000, dt.date(year, 5, 2))
        total = sum(column[i] for column in SUPPLIERS.values()) * 1_000_000
        services.purchase_potential_set(actor=alice, party=parties[name], family=family, year=year, amount=total)
    services.portfolio_run(as_of=AS_OF)
    radar = {r.party_id: r for r in RadarPosition.objects.filter(year=year)}
    lam = radar[parties["λ"].pk]
    assert float(lam.purchase_potential) == 160_000_000 and float(lam.our_sales) == 30_000_000
    assert lam.tcc == 30 / 160 == 0.1875
    assert round(100 * lam.tcc, 2) == 18.75
    assert radar[parties["ξ"].pk].tcc == pytest.approx(50 / 150)
    # RADAR rule: TCC below ⅓ → develop; λ bought within 12 months of the year's end
    assert lam.strategy == "develop"
    assert radar[parties["ξ"].pk].strategy == "accompany"  # exactly ⅓ is not below ⅓
    # the customer's own page figures agree (per family and year)
    potentials = selectors.customer_portfolio(alice, parties["λ"].pk)["potentials"]
    assert potentials[0]["tcc"] == 0.1875
    view = selectors.radar_overview(user=alice, year=year)
    assert view.portfolio_tcc == pytest.approx(150 / 670)


def test_whole_base_matrix_from_the_stored_summary_matches_the_aggregates(course, personas):
    grid, _parties = course
    grid.refresh_from_db()
    assert grid.summary["placed"] == 5 and grid.summary["counts"] == {"tr": 2, "tl": 1, "br": 1, "bl": 1}
    stored = selectors.portfolio_matrix(user=personas.analyst, grid=grid)
    grid.summary = {}
    computed = selectors.portfolio_matrix(user=personas.analyst, grid=grid)
    assert (stored.x_mean, stored.y_mean) == (pytest.approx(computed.x_mean), pytest.approx(computed.y_mean))
    assert stored.counts == computed.counts and stored.placed == computed.placed == 5
    assert [(p.x, p.y, p.diameter) for p in stored.points] == [(p.x, p.y, pytest.approx(p.diameter))
                                                              for p in computed.points]
