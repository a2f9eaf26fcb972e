"""The analytics API: scope per role, the outsider, analysts without individuals, pinned queries."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fidelia.analytics.models import AnalysisRun
from fidelia.analytics.services import analytics_run
from fidelia.analytics.tests.factories import REFERENCE, buy, customer, customers_with_revenues
from fidelia.core.testing import make_token

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {make_token(user)}"})


@pytest.fixture
def base(personas):
    """Alice's 10 customers (1..10 k€), the Paris outsider's 10 (100..1000 k€), one run."""
    alice = customers_with_revenues([1000 * i for i in range(1, 11)], owner=personas.alice, prefix="Lyon")
    paris = customers_with_revenues([100_000 * i for i in range(1, 11)], owner=personas.outsider, prefix="Paris")
    analytics_run(actor=None, reference_date=REFERENCE)
    return alice, paris


def test_a_rep_sees_only_the_figures_of_their_portfolio(personas, base) -> None:
    body = api(personas.alice).get("/api/analytics/summary").json()
    assert body["customers"] == 10 and body["total_revenue"] == 55_000
    assert body["scope"] == "portfolio" and body["source"] == "stored"
    # base-wide classes: Alice's customers are all small next to Paris (A, B = Paris' top 8)
    assert {c["key"]: c["count"] for c in body["abc"]["classes"]} == {"A": 0, "B": 0, "C": 10}
    whole = api(personas.analyst).get("/api/analytics/summary").json()
    assert whole["customers"] == 20 and whole["scope"] == "base"
    assert whole["total_revenue"] == 5_555_000


def test_filters_recompute_live_for_the_population(personas, base) -> None:
    alice_parties, _ = base
    ids = "&".join(f"parties={p.pk}" for p in alice_parties[:5])
    body = api(personas.manager).get(f"/api/analytics/abc?reference_date=2026-06-30&{ids}").json()
    assert body["source"] == "live" and body["scope"] == "custom" and body["customers"] == 5
    assert {c["key"]: c["count"] for c in body["abc"]["classes"]} == {"A": 1, "B": 1, "C": 3}  # 0.5→1, 2.0


def test_bad_filters_are_field_errors(personas, base) -> None:
    response = api(personas.analyst).get("/api/analytics/pareto?date_from=2026-05-01&date_to=2026-01-01")
    assert response.status_code == 422
    assert "date_to" in response.json()["error"]["fields"]
    response = api(personas.analyst).get("/api/analytics/abc?abc_a=0.6&abc_b=0.6")
    assert response.status_code == 422 and "abc_b" in response.json()["error"]["fields"]
    assert api(personas.analyst).get("/api/analytics/abc?period_months=0").status_code == 422


def test_roles_without_analytics_get_404(personas, base) -> None:
    assert api(personas.service).get("/api/analytics/summary").status_code == 404
    assert api(personas.dpo).get("/api/analytics/rfm").status_code in {401, 403, 404}


def test_analysts_get_aggregates_and_no_names(personas, base) -> None:
    alice_parties, _ = base
    client = api(personas.analyst)
    assert client.get("/api/analytics/frat").status_code == 200
    assert client.get("/api/analytics/abc/A/customers").status_code == 403
    assert client.get(f"/api/analytics/customers/{alice_parties[0].pk}").status_code == 404
    assert client.get(f"/api/analytics/customers/{alice_parties[0].pk}/trajectory").status_code == 404


def test_the_outsider_gets_404_on_another_portfolios_customer(personas, base) -> None:
    alice_parties, paris = base
    client = api(personas.outsider)
    assert client.get(f"/api/analytics/customers/{alice_parties[0].pk}").status_code == 404
    assert client.get(f"/api/analytics/customers/{alice_parties[0].pk}/trajectory").status_code == 404
    assert client.get(f"/api/analytics/customers/{paris[0].pk}").status_code == 200


def test_a_customers_results_and_trajectory(personas, base) -> None:
    alice_parties, _ = base
    client = api(personas.alice)
    body = client.get(f"/api/analytics/customers/{alice_parties[9].pk}").json()
    assert body["revenue"] == 10_000 and body["abc_class"] == "C" and body["rank"] == 11
    assert body["margin"] is None                      # reps do not read margins
    assert body["reference_date"] == "2026-06-30"
    steps = client.get(f"/api/analytics/customers/{alice_parties[9].pk}/trajectory").json()
    assert [s["period"] for s in steps] == ["2026-06-01"]
    manager = api(personas.manager).get(f"/api/analytics/customers/{alice_parties[9].pk}").json()
    assert manager["margin"] == 2_000


def test_marketing_lists_classes_without_purchase_figures(personas, base) -> None:
    body = api(personas.marketing).get("/api/analytics/abc/B/customers").json()
    assert body["count"] == 6 and body["items"][0]["revenue"] is None
    assert body["items"][0]["display_name"].startswith("Paris")


def test_class_lists_are_scoped_paginated_and_pinned(personas, base, django_assert_max_num_queries) -> None:
    client = api(personas.alice)
    client.get("/api/analytics/abc/C/customers")  # warm the token cache
    with django_assert_max_num_queries(8):
        body = client.get("/api/analytics/abc/C/customers?page_size=5").json()
    assert body["count"] == 10 and len(body["items"]) == 5
    assert all(item["display_name"].startswith("Lyon") for item in body["items"])
    ranks = [item["rank"] for item in body["items"]]
    assert ranks == sorted(ranks)
    assert client.get("/api/analytics/abc/Z/customers").status_code == 422
    assert client.get("/api/analytics/pareto/A/customers").status_code == 422
    assert client.get("/api/analytics/rfm/champions/customers").status_code == 200


def test_summaries_from_stored_results_have_pinned_queries(personas, base, django_assert_max_num_queries) -> None:
    for user in (personas.analyst, personas.alice):
        client = api(user)
        client.get("/api/analytics/summary")
        with django_assert_max_num_queries(8):
            assert client.get("/api/analytics/summary").status_code == 200


def test_migration_table_between_two_months(personas) -> None:
    parties = customers_with_revenues([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000], owner=personas.alice)
    analytics_run(actor=None, reference_date=dt.date(2026, 5, 31))
    buy(parties[0], [(dt.date(2026, 6, 10), 5000)])      # the smallest becomes the biggest
    newcomer = customer("New", owner=personas.alice)
    buy(newcomer, [(dt.date(2026, 6, 12), 50)])
    analytics_run(actor=None, reference_date=REFERENCE)
    body = api(personas.alice).get("/api/analytics/migrations?dimension=abc&from_period=2026-05-15"
                                   "&to_period=2026-06-01").json()
    cells = body["cells"]
    assert cells["C"]["A"] == 1 and cells["A"]["B"] == 1 and cells["none"]["C"] == 1
    assert sum(sum(row.values()) for row in cells.values()) == 11
    assert api(personas.outsider).get("/api/analytics/migrations?from_period=2026-05-01&to_period=2026-06-01") \
        .json()["cells"]["C"]["C"] == 0
    assert api(personas.alice).get("/api/analytics/migrations?dimension=zzz&from_period=2026-05-01"
                                   "&to_period=2026-06-01").status_code == 422


def test_running_needs_the_right(personas, base) -> None:
    assert api(personas.alice).post("/api/analytics/runs", {}, content_type="application/json").status_code == 403
    response = api(personas.analyst).post("/api/analytics/runs", {"reference_date": "2026-06-30"},
                                          content_type="application/json")
    assert response.status_code == 202 and response.json()["latest"]["customers"] == 20
    assert AnalysisRun.objects.filter(actor=personas.analyst).count() == 1
    bad = api(personas.analyst).post("/api/analytics/runs", {"period_months": 0}, content_type="application/json")
    assert bad.status_code == 422


def test_the_tie_rule_is_a_filter(personas) -> None:
    # six customers with the same revenue and one order each: every tie rule keeps them together
    customers_with_revenues([100] * 6, owner=personas.alice)
    analytics_run(actor=None, reference_date=REFERENCE)
    client = api(personas.analyst)
    scores = {}
    for rule in ("midrank", "lower", "upper"):
        body = client.get(f"/api/analytics/rfm?tie_rule={rule}&reference_date=2026-06-30").json()
        assert body["source"] == "live"
        scores[rule] = body["rfm"]["score_counts"]["m"]
    assert scores == {"midrank": [0, 0, 6, 0, 0], "lower": [6, 0, 0, 0, 0], "upper": [0, 0, 0, 0, 6]}
    assert client.get("/api/analytics/rfm?tie_rule=dice").status_code == 422


def test_an_empty_population_and_a_too_long_period(personas) -> None:
    client = api(personas.analyst)
    body = client.get("/api/analytics/summary?reference_date=2026-06-30").json()   # no run, no purchase
    assert body["customers"] == 0 and body["source"] == "live" and body["pareto"]["gini"] == 0
    assert body["frat"]["amount_ratio"]["median"] is None
    response = client.get("/api/analytics/summary?date_from=1990-01-01&date_to=2026-01-01")
    assert response.status_code == 422 and "date_from" in response.json()["error"]["fields"]
    assert client.get("/api/analytics/runs/latest").status_code == 204
