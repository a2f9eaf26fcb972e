"""Pages, the file panel and the API of customer value: who sees what (the outsider gets 404),
efforts recorded from the panel and the API (If-Match), bad input refused with the error shape."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fidelia.clv import services
from fidelia.clv.models import CustomerValue, RetentionEffort
from fidelia.clv.tests.factories import AS_OF, base, product
from fidelia.core.testing import make_token
from fidelia.parties.models import Party

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {make_token(user)}"})


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(personas):
    parties = base(personas.alice, product(personas.admin), customers=20)
    run = services.value_model_run(as_of=AS_OF, actor=None)
    return personas, parties, run


def valued_party() -> Party:
    return CustomerValue.objects.order_by("-clv_12m").first().party


def test_dashboard_for_the_manager_names_customers(world) -> None:
    personas, *_ = world
    response = web(personas.manager).get(reverse("clv:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="clv-kpis"' in body and 'data-testid="clv-top"' in body
    assert 'data-chart="clv-histogram"' in body and 'data-chart="clv-heatmap"' in body


def test_the_analyst_sees_aggregates_without_names(world) -> None:
    personas, *_ = world
    body = web(personas.analyst).get(reverse("clv:index")).content.decode()
    assert 'data-testid="clv-kpis"' in body and 'data-testid="clv-top"' not in body


def test_outsider_sees_no_customers_and_the_call_centre_no_page(world) -> None:
    personas, *_ = world
    body = web(personas.outsider).get(reverse("clv:index")).content.decode()
    assert 'data-testid="clv-top"' in body and valued_party().display_name not in body
    assert web(personas.service).get(reverse("clv:index")).status_code == 404


def test_diagnostics_show_parameters_and_the_calibration_check(world) -> None:
    personas, _, run = world
    response = web(personas.analyst).get(reverse("clv:diagnostics"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="clv-params"' in body and "alpha" in body
    assert web(personas.analyst).get(reverse("clv:diagnostics_run", args=[run.pk + 999])).status_code == 404


def test_file_panel_is_lazy_and_404_for_the_outsider(world) -> None:
    personas, *_ = world
    party = valued_party()
    detail = web(personas.alice).get(reverse("parties:detail", args=[party.pk])).content.decode()
    assert reverse("clv:party_panel", args=[party.pk]) in detail
    panel = web(personas.alice).get(reverse("clv:party_panel", args=[party.pk]))
    assert panel.status_code == 200 and 'data-testid="clv-panel"' in panel.content.decode()
    assert web(personas.outsider).get(reverse("clv:party_panel", args=[party.pk])).status_code == 404


def test_effort_recorded_from_the_panel_lowers_the_capital(world) -> None:
    personas, *_ = world
    party = valued_party()
    before = CustomerValue.objects.get(party=party).capital
    url = reverse("clv:effort_create", args=[party.pk])
    response = web(personas.alice).post(url, {"kind": "gift", "amount": "25", "date": "2026-06-01", "note": "Fleurs"})
    assert response.status_code == 200 and "Fleurs" in response.content.decode()
    assert CustomerValue.objects.get(party=party).capital == before - 25
    bad = web(personas.alice).post(url, {"kind": "gift", "amount": "-3", "date": "2026-06-01"})
    assert bad.status_code == 422 and RetentionEffort.objects.count() == 1
    assert web(personas.outsider).post(url, {"kind": "gift", "amount": "5", "date": "2026-06-01"}).status_code == 404
    effort = RetentionEffort.objects.get()
    assert web(personas.outsider).post(reverse("clv:effort_delete", args=[effort.pk])).status_code == 404
    assert web(personas.alice).post(reverse("clv:effort_delete", args=[effort.pk])).status_code == 200
    assert CustomerValue.objects.get(party=party).capital == before


def test_run_from_the_page_needs_the_right(world) -> None:
    personas, *_ = world
    assert web(personas.alice).post(reverse("clv:run"), {"count_model": "bgnbd", "horizon_months": 12,
                                                          "monthly_discount": 0.01}).status_code == 404
    response = web(personas.analyst).post(reverse("clv:run"), {"count_model": "bgnbd", "horizon_months": 0,
                                                                "monthly_discount": 0.01})
    assert response.status_code == 302


def test_api_values_runs_and_scope(world) -> None:
    personas, _, run = world
    party = valued_party()
    listed = api(personas.manager).get("/api/clv/values").json()
    assert listed["count"] == 20 and listed["items"][0]["party_id"] == party.pk
    assert api(personas.outsider).get("/api/clv/values").json()["count"] == 0
    assert api(personas.analyst).get("/api/clv/values").status_code == 404
    assert api(personas.outsider).get(f"/api/clv/values/{party.pk}").status_code == 404
    one = api(personas.alice).get(f"/api/clv/values/{party.pk}").json()
    assert 0 <= one["p_alive"] <= 1
    diag = api(personas.analyst).get(f"/api/clv/runs/{run.pk}").json()
    assert set(diag["params"]) == {"r", "alpha", "a", "b"} and "classes" in diag["calibration"] or diag["calibration"] == {}
    assert api(personas.service).get("/api/clv/runs").status_code == 404


def test_api_efforts_with_if_match(world) -> None:
    personas, *_ = world
    party = valued_party()
    client = api(personas.alice)
    created = client.post("/api/clv/efforts", {"party_id": party.pk, "kind": "discount", "amount": "12.50",
                                                  "date": "2026-05-02"}, content_type="application/json")
    assert created.status_code == 201 and created["ETag"] == '"1"'
    pk = created.json()["id"]
    assert client.patch(f"/api/clv/efforts/{pk}", {"amount": "10"}, content_type="application/json").status_code == 428
    ok = client.patch(f"/api/clv/efforts/{pk}", {"amount": "10"}, content_type="application/json",
                      headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(f"/api/clv/efforts/{pk}", {"amount": "11"}, content_type="application/json",
                         headers={"If-Match": '"1"'})
    assert stale.status_code in (409, 412) and stale.json()["error"]["code"] == "stale_version"
    bad = client.post("/api/clv/efforts", {"party_id": party.pk, "kind": "bribe", "amount": "0",
                                              "date": "2026-05-02"}, content_type="application/json")
    assert bad.status_code == 422 and {"kind", "amount"} <= set(bad.json()["error"]["fields"])
    assert api(personas.outsider).get(f"/api/clv/efforts/{pk}").status_code == 404
    assert api(personas.outsider).post("/api/clv/efforts", {"party_id": party.pk, "kind": "gift", "amount": "1",
                                                               "date": "2026-05-02"},
                                       content_type="application/json").status_code == 404
    assert client.delete(f"/api/clv/efforts/{pk}").status_code == 204
    assert not RetentionEffort.objects.filter(pk=pk).exists()
