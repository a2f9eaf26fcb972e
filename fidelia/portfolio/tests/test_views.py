"""Portfolio pages: scope per role, no names for analysts, forms, exports audited, no 500 on bad input."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from fidelia.parties.tests.factories import person
from fidelia.portfolio import services
from fidelia.portfolio.models import EnteredScore, PurchasePotential, ScoringGrid
from fidelia.portfolio.tests.factories import buy, course_grid, enter, product
from fidelia.privacy.models import AuditEntry
from fidelia.sales import services as sales

TODAY = dt.date.today()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(personas):
    grid = course_grid(personas.manager)
    grid.is_default = True
    grid.save()
    family = sales.family_create(actor=personas.admin, name="Épargne")
    item = product(personas.admin, family)
    mine = person(owner=personas.alice, last_name="Mienne")
    other = person(owner=personas.outsider, last_name="Autre")
    for party, owner, scores in ((mine, personas.alice, [5] * 5), (other, personas.outsider, [1] * 5)):
        enter(owner, party, grid, scores, scores)
        buy(party, item, 100, TODAY - dt.timedelta(days=3))
    # two months, so that the migration table and the path have something to show
    services.portfolio_run(as_of=TODAY - dt.timedelta(days=40), grids=[grid])
    services.portfolio_run(as_of=TODAY, grids=[grid])
    return grid, family, mine, other


def chart_data(response, chart_id: str = "portfolio-matrix") -> dict:
    html = response.content.decode()
    start = html.index(f'<script id="{chart_id}" type="application/json">') + len(f'<script id="{chart_id}" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


def test_rep_sees_own_customers_with_links_and_path(personas, world, django_assert_max_num_queries):
    grid, _family, mine, other = world
    client = client_for(personas.alice)
    with django_assert_max_num_queries(25):
        response = client.get(f"/portfolio/?grid={grid.code}&party={mine.pk}")
    assert response.status_code == 200
    data = chart_data(response)
    assert [p["name"] for p in data["points"]] == [mine.display_name]
    assert data["points"][0]["url"]
    assert other.display_name not in response.content.decode()
    assert data["paths"] and data["paths"][0]["name"] == mine.display_name and len(data["paths"][0]["points"]) >= 1


def test_analyst_sees_everyone_without_names_or_links(personas, world):
    grid, _family, mine, other = world
    response = client_for(personas.analyst).get(f"/portfolio/?grid={grid.code}&party={mine.pk}")
    body = response.content.decode()
    data = chart_data(response)
    assert len(data["points"]) == 2 and all(p["url"] is None for p in data["points"])
    assert mine.display_name not in body and other.display_name not in body and data["paths"] == []


@pytest.mark.parametrize("url", ["/portfolio/", "/portfolio/radar/", "/portfolio/grids/"])
def test_service_agents_and_dpo_have_no_portfolio_pages(personas, world, url):
    assert client_for(personas.service).get(url).status_code == 404


def test_bad_filters_never_500(personas, world):
    client = client_for(personas.alice)
    for query in ("x=nope&y=performance", "grid=unknown", "period=abcd", "quadrant=zz", "party=999999",
                  "party=abc", "preset=nope", "year=x"):
        assert client.get(f"/portfolio/?{query}").status_code == 200, query
    assert client.get("/portfolio/radar/?year=abcd").status_code == 200


def test_presets_show_their_axes(personas, world):
    grid = world[0]
    client = client_for(personas.manager)
    for preset in ("value", "revenue_margin", "potential_loyalty", "dubinsky_ingram", "fioca"):
        response = client.get(f"/portfolio/?preset={preset}&grid={grid.code}")
        assert response.status_code == 200, preset
        assert not list(response.context["messages"]), preset
    fioca = client.get(f"/portfolio/?preset=fioca&grid={grid.code}")
    assert fioca.context["grid"].code == "fioca" and fioca.context["m"].x == "c:strategic_importance"


def test_export_is_audited(personas, world):
    response = client_for(personas.alice).get("/portfolio/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "Mienne".upper() in response.content.decode().upper()
    assert any("portfolio_matrix" in e.fields for e in AuditEntry.objects.filter(action="export", actor_id=personas.alice.pk))
    radar = client_for(personas.analyst).get("/portfolio/radar/?format=xlsx")
    assert radar.status_code == 200


def test_grid_forms_only_for_configurers(personas, world):
    grid = world[0]
    assert client_for(personas.alice).get("/portfolio/grids/new/").status_code == 404
    assert client_for(personas.alice).get(f"/portfolio/grids/{grid.code}/edit/").status_code == 404
    client = client_for(personas.manager)
    assert client.get(f"/portfolio/grids/{grid.code}/edit/").status_code == 200
    form = {"name": "Simple", "description": "", "criteria-TOTAL_FORMS": "2", "criteria-INITIAL_FORMS": "0",
            "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "50",
            "criteria-0-name": "Fit", "criteria-0-group": "potential", "criteria-0-coefficient": "3",
            "criteria-0-source": "entered",
            "criteria-1-name": "Revenue", "criteria-1-group": "performance", "criteria-1-coefficient": "2",
            "criteria-1-source": "derived", "criteria-1-metric": "revenue_12m", "criteria-1-method": "thresholds",
            "criteria-1-thresholds": "1; 10; 100; 1000"}
    assert client.post("/portfolio/grids/new/", form).status_code == 302
    created = ScoringGrid.objects.get(code="simple")
    assert [c.thresholds for c in created.criteria.all()] == [[], [1.0, 10.0, 100.0, 1000.0]]
    bad = client.post("/portfolio/grids/new/", {**form, "name": "Other", "criteria-1-thresholds": "3; 2; 1; 0"})
    assert bad.status_code == 200 and "ascending" in bad.content.decode()


def test_customer_page_enters_scores_and_potentials(personas, world):
    grid, family, mine, other = world
    client = client_for(personas.alice)
    assert client.get(f"/portfolio/customers/{mine.pk}/").status_code == 200
    assert client.get(f"/portfolio/customers/{other.pk}/").status_code == 404
    response = client.post(f"/portfolio/customers/{mine.pk}/", {"action": "scores", "grid": grid.code,
                                                                 "score-sector": "2", "score-market": ""})
    assert response.status_code == 302
    assert EnteredScore.objects.get(party=mine, criterion__code="sector").score == 2
    assert not EnteredScore.objects.filter(party=mine, criterion__code="market").exists()
    response = client.post(f"/portfolio/customers/{mine.pk}/", {"action": "potential", "family": family.pk,
                                                                 "year": TODAY.year, "amount": "1000"})
    assert response.status_code == 302
    assert PurchasePotential.objects.get(party=mine).amount == 1000
    # a colleague who may read but not write gets no form and cannot post
    assert client_for(personas.outsider).post(f"/portfolio/customers/{mine.pk}/", {"action": "scores"}).status_code == 404
