"""The portfolio API: access by role (rep: own portfolio; analyst: no names; outsider: 404), grid
configuration refused to reps with the API's error shape, writes of scores and potentials."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fidelia.core.testing import make_token
from fidelia.parties.tests.factories import person
from fidelia.portfolio import services
from fidelia.portfolio.models import EnteredScore
from fidelia.portfolio.tests.factories import buy, course_grid, enter, product
from fidelia.sales import services as sales

AS_OF = dt.date(2026, 6, 15)


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {make_token(user)}"})


@pytest.fixture
def world(personas):
    grid = course_grid(personas.manager)
    family = sales.family_create(actor=personas.admin, name="Épargne")
    item = product(personas.admin, family)
    mine = person(owner=personas.alice, last_name="Mienne")
    other = person(owner=personas.outsider, last_name="Autre")
    for party, owner, scores in ((mine, personas.alice, [5] * 5), (other, personas.outsider, [1] * 5)):
        enter(owner, party, grid, scores, scores)
        buy(party, item, 100, AS_OF - dt.timedelta(days=3))
    services.portfolio_run(as_of=AS_OF, grids=[grid])
    return grid, family, mine, other


GRID = {"name": "Mini", "criteria": [
    {"name": "Strategic fit", "group": "potential", "coefficient": 3},
    {"name": "Sales", "group": "performance", "source": "derived", "metric": "revenue_12m",
     "method": "thresholds", "thresholds": [10, 100, 1000, 10000]}]}


def test_rep_may_not_configure_grids_403_with_error_shape(personas, world):
    response = api(personas.alice).post("/api/portfolio/grids", GRID, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_manager_creates_a_grid_and_bad_thresholds_are_field_errors(personas, world):
    client = api(personas.manager)
    created = client.post("/api/portfolio/grids", GRID, content_type="application/json")
    assert created.status_code == 201, created.content
    assert [c["code"] for c in created.json()["criteria"]] == ["strategic-fit", "sales"]
    bad = {**GRID, "name": "Bad", "criteria": [GRID["criteria"][0], {**GRID["criteria"][1], "thresholds": [5, 1, 2, 3]}]}
    response = client.post("/api/portfolio/grids", bad, content_type="application/json")
    assert response.status_code == 422
    assert "criteria[1].thresholds" in response.json()["error"]["fields"]


def test_grid_update_needs_if_match_and_keeps_scores_of_kept_codes(personas, world):
    grid, _family, mine, _other = world
    client = api(personas.manager)
    body = {"name": "Course grid v2", "criteria": [
        {"name": "sector", "code": "sector", "group": "potential", "coefficient": 2},
        {"name": "sales", "code": "sales", "group": "performance", "coefficient": 1}]}
    assert client.put(f"/api/portfolio/grids/{grid.code}", body, content_type="application/json").status_code == 428
    etag = client.get(f"/api/portfolio/grids/{grid.code}")["ETag"]
    response = client.put(f"/api/portfolio/grids/{grid.code}", body, content_type="application/json",
                          headers={"If-Match": etag})
    assert response.status_code == 200, response.content
    assert set(EnteredScore.objects.filter(party=mine).values_list("criterion__code", flat=True)) == {"sector", "sales"}
    stale = client.put(f"/api/portfolio/grids/{grid.code}", body, content_type="application/json",
                       headers={"If-Match": etag})
    assert stale.status_code == 412


def test_matrix_scope_names_and_analyst_anonymity(personas, world, django_assert_max_num_queries):
    grid, _family, mine, other = world
    with django_assert_max_num_queries(12):
        rep = api(personas.alice).get(f"/api/portfolio/grids/{grid.code}/matrix").json()
    assert [p["party_id"] for p in rep["points"]] == [mine.pk]
    assert rep["points"][0]["name"] == mine.display_name
    analyst = api(personas.analyst).get(f"/api/portfolio/grids/{grid.code}/matrix").json()
    assert len(analyst["points"]) == 2
    assert all(p["party_id"] is None and mine.display_name not in p["name"] and other.display_name not in p["name"]
               for p in analyst["points"])
    assert api(personas.service).get(f"/api/portfolio/grids/{grid.code}/matrix").status_code == 404
    bad = api(personas.alice).get(f"/api/portfolio/grids/{grid.code}/matrix?x=secret")
    assert bad.status_code == 422 and "x" in bad.json()["error"]["fields"]


def test_customer_portfolio_outsider_and_analyst_get_404(personas, world):
    _grid, _family, mine, _other = world
    assert api(personas.alice).get(f"/api/portfolio/customers/{mine.pk}").status_code == 200
    for user in (personas.outsider, personas.analyst):
        assert api(user).get(f"/api/portfolio/customers/{mine.pk}").status_code == 404
        assert api(user).get(f"/api/portfolio/customers/{mine.pk}/trajectory").status_code == 404


def test_scores_and_potentials_need_write_access(personas, world):
    grid, family, mine, _other = world
    url = f"/api/portfolio/customers/{mine.pk}/scores/{grid.code}"
    assert api(personas.outsider).put(url, {"scores": {"sector": 3}}, content_type="application/json").status_code == 404
    # a colleague of the same team reads the file only if the team allows it; never writes it
    assert api(personas.marketing).put(url, {"scores": {"sector": 3}},
                                       content_type="application/json").status_code == 403
    ok = api(personas.alice).put(url, {"scores": {"sector": 3, "market": None}}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["changed"] == 2
    bad = api(personas.alice).put(url, {"scores": {"sector": 9}}, content_type="application/json")
    assert bad.status_code == 422
    unknown = api(personas.alice).put(url, {"scores": {"nope": 2}}, content_type="application/json")
    assert unknown.status_code == 422 and "scores.nope" in unknown.json()["error"]["fields"]
    potential = api(personas.alice).put(f"/api/portfolio/customers/{mine.pk}/purchase-potentials",
                                        {"family_id": family.pk, "year": 2026, "amount": "1000"},
                                        content_type="application/json")
    assert potential.status_code == 200
    assert potential.json()["potentials"][0]["tcc"] == pytest.approx(0.1)
    refused = api(personas.alice).put(f"/api/portfolio/customers/{mine.pk}/purchase-potentials",
                                      {"family_id": family.pk, "year": 2026, "amount": "-5"},
                                      content_type="application/json")
    assert refused.status_code == 422


def test_radar_scope(personas, world):
    _grid, _family, mine, _other = world
    body = api(personas.alice).get("/api/portfolio/radar").json()
    assert [c["party_id"] for c in body["customers"]] == [mine.pk]
    analyst = api(personas.analyst).get("/api/portfolio/radar").json()
    assert len(analyst["customers"]) == 2 and all(c["party_id"] is None for c in analyst["customers"])


def test_run_is_refused_to_reps_and_queued_for_analysts(personas, world):
    assert api(personas.alice).post("/api/portfolio/run").status_code == 403
    assert api(personas.analyst).post("/api/portfolio/run").status_code == 202


def test_customer_portfolio_for_the_360_page(personas, world):
    from fidelia.portfolio.selectors import customer_portfolio

    grid, _family, mine, _other = world
    data = customer_portfolio(personas.alice, mine.pk)
    course = next(g for g in data["grids"] if g["grid"] == grid.code)
    assert course["latest"]["potential"] == 5.0 and course["latest"]["strategy"] == "loyalty"
    assert course["latest"]["strategy_label"] == "Loyalty" and len(course["path"]) == 1
    # the call centre reads the file but not the analytics
    assert customer_portfolio(personas.service, mine.pk)["grids"] == []


def test_trajectory_api(personas, world):
    grid, _family, mine, _other = world
    body = api(personas.alice).get(f"/api/portfolio/customers/{mine.pk}/trajectory?grid={grid.code}").json()
    assert body["name"] == mine.display_name
    assert body["points"] == [{"period": "2026-06", "x": 5.0, "y": 5.0}]
