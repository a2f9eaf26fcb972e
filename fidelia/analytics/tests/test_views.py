"""The analytics dashboards: who sees what (the outsider, analysts without names, roles without
analytics), filters that recompute, exports that are audited, pinned query counts, the 360 block."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fidelia.analytics import methods, views
from fidelia.analytics.services import analytics_run
from fidelia.analytics.tests.factories import REFERENCE, buy, customers_with_revenues
from fidelia.core.testing import verified_login
from fidelia.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db

DASHBOARDS = ["/analytics/", "/analytics/pareto/", "/analytics/abc/", "/analytics/rfm/", "/analytics/frat/",
              "/analytics/migrations/"]
# DOMAIN.md §6, the Pareto exercise: the top 20 % make exactly 80 %.
PARETO_EXERCISE = [225000, 175000, 30000, 40000, 5000, 20000, 10000, 15000, 15000, 5000, 8000, 5000, 5000, 5000,
                   20000, 225000, 2000, 5000, 10000, 175000]


def client_for(user) -> Client:
    client = Client()
    if user.username in {"admin", "dpo"}:
        verified_login(client, user)
    else:
        client.force_login(user)
    return client


@pytest.fixture
def base(personas):
    """Alice's 10 customers (1..10 k€) in Lyon, the Paris outsider's 10 (100..1000 k€), one run
    for May and one for June, so migrations and trajectories have two months."""
    lyon = customers_with_revenues([1000 * i for i in range(1, 11)], owner=personas.alice, prefix="Lyon")
    paris = customers_with_revenues([100_000 * i for i in range(1, 11)], owner=personas.outsider, prefix="Paris")
    analytics_run(actor=None, reference_date=dt.date(2026, 5, 31))
    buy(lyon[0], [(dt.date(2026, 6, 10), 900_000)])  # Lyon 01 jumps from C to A in June
    analytics_run(actor=None, reference_date=REFERENCE)
    return lyon, paris


@pytest.mark.parametrize("url", DASHBOARDS)
@pytest.mark.parametrize("who,status", [("alice", 200), ("manager", 200), ("analyst", 200), ("marketing", 200),
                                        ("admin", 200), ("outsider", 200), ("service", 404), ("dpo", 404)])
def test_access_matrix(personas, base, url, who, status) -> None:
    assert client_for(getattr(personas, who)).get(url).status_code == status


def test_anonymous_users_are_sent_to_sign_in(base) -> None:
    response = Client().get("/analytics/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_rep_sees_the_figures_and_names_of_their_portfolio_only(personas, base) -> None:
    page = client_for(personas.alice).get("/analytics/abc/?cls=C").content.decode()
    assert "10 customers analysed" in page
    assert "Lyon 02" in page and "Paris" not in page
    other = client_for(personas.outsider).get("/analytics/abc/?cls=A").content.decode()
    assert "Paris 10" in other and "Lyon" not in other


def test_analysts_see_aggregates_without_names_or_links(personas, base) -> None:
    for url in ["/analytics/abc/?cls=A", "/analytics/rfm/?segment=champions", "/analytics/"]:
        page = client_for(personas.analyst).get(url).content.decode()
        assert "20 customers analysed" in page or "/abc/" not in url
        assert "Paris 10" not in page and "Lyon 01" not in page
        assert "/customers/" not in page.split('id="main"')[1]
    response = client_for(personas.analyst).get("/analytics/abc/?cls=A&rows=customers&export=csv")
    body = response.content.decode("utf-8-sig")
    assert "Paris" not in body and body.count("\r\n") == 1  # the header only


def test_class_and_segment_lists_link_to_the_customer_file(personas, base) -> None:
    lyon, paris = base
    page = client_for(personas.manager).get("/analytics/abc/?cls=A").content.decode()
    assert f'href="/customers/{lyon[0].pk}/"' in page  # Lyon 01, class A since June
    assert "Paris" not in page  # the manager's team is Lyon


def test_htmx_filter_refresh_gets_the_results_only(personas, base) -> None:
    response = client_for(personas.analyst).get("/analytics/pareto/?family=", headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content and 'data-chart="pareto"' in content
    assert response["Vary"].count("HX-Request") == 1


def test_changing_a_filter_recomputes_and_states_it(personas, base) -> None:
    page = client_for(personas.analyst).get("/analytics/abc/?abc_a=20&abc_b=30").content.decode()
    assert "Recomputed for these filters" in page
    assert "the first 20 % of customers" in page and "remaining 50 %" in page
    default = client_for(personas.analyst).get("/analytics/abc/").content.decode()
    assert "Stored results" in default and "the first 10 % of customers" in default


def test_a_shorter_period_is_recomputed(personas, base) -> None:
    response = client_for(personas.analyst).get("/analytics/pareto/?months=3&date_to=2026-06-30")
    assert "Recomputed for these filters" in response.content.decode()
    assert response.context["summary"]["date_from"] == "2026-03-31"  # the day after 30 March
    assert response.context["summary"]["customers"] == 1  # only Lyon 01 bought in April–June


def test_bad_filters_are_explained_not_500(personas, base) -> None:
    client = client_for(personas.analyst)
    response = client.get("/analytics/abc/?abc_a=60&abc_b=50&date_from=nonsense&team=999999&months=7")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Some filters were ignored" in page and "must leave some customers to class C" in page
    response = client.get("/analytics/pareto/?date_from=2026-06-01&date_to=2026-01-01")
    assert response.status_code == 200 and "before its start" in response.content.decode()
    assert client.get("/analytics/migrations/?month_from=garbage&dimension=zzz").status_code == 200
    assert client.get("/analytics/abc/?cls=Z&page=-3").status_code == 200


def test_the_rfm_tie_rule_is_stated_and_can_be_changed(personas, base) -> None:
    client = client_for(personas.analyst)
    page = client.get("/analytics/rfm/").content.decode()
    assert "Tie rule applied:" in page and "Mid-rank" in page
    changed = client.get("/analytics/rfm/?ties=lower")
    content = changed.content.decode()
    assert "Lower: a group of equal values" in content and "Recomputed for these filters" in content
    # same customers and period as the stored figures, only the scores move
    segments = changed.context["rfm"]["segments"]
    assert sum(s["count"] for s in segments) == 20
    assert changed.context["summary"]["date_to"] == REFERENCE.isoformat()


def test_exports_are_audited_and_formula_safe(personas, base) -> None:
    client = client_for(personas.manager)
    before = AuditEntry.objects.count()
    response = client.get("/analytics/rfm/?export=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "Champions" in response.content.decode("utf-8-sig")
    xlsx = client.get("/analytics/abc/?cls=C&rows=customers&export=xlsx")
    assert xlsx["Content-Disposition"].endswith('.xlsx"')
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert [e.fields[0] for e in entries] == ["analytics_rfm", "analytics_abc_C"]
    assert all(e.actor_id == personas.manager.pk for e in entries)


def test_migrations_between_two_months(personas, base) -> None:
    page = client_for(personas.manager).get("/analytics/migrations/?month_from=2026-05-01&month_to=2026-06-01")
    content = page.content.decode()
    assert 'data-testid="migration-table"' in content
    table = page.context["table"]
    assert table["cells"]["C"]["A"] == 1  # Lyon 01 moved up
    assert sum(sum(row.values()) for row in table["cells"].values()) == 10  # Alice's customers only


# session, user, run, stored rows of the portfolio (+ count and page of a list); more customers, same count
@pytest.mark.parametrize("url,limit", [("/analytics/", 8), ("/analytics/pareto/", 8), ("/analytics/abc/?cls=C", 10),
                                       ("/analytics/rfm/?segment=champions", 10), ("/analytics/frat/", 8),
                                       ("/analytics/migrations/", 6)])
def test_query_counts_are_pinned(personas, base, url, limit, django_assert_max_num_queries) -> None:
    client = client_for(personas.manager)
    client.get(url)
    more = customers_with_revenues([5000] * 30, owner=personas.alice, prefix="More")
    analytics_run(actor=None, reference_date=REFERENCE)
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200 and more


def test_the_customer_block_on_the_360_page(personas, base) -> None:
    lyon, paris = base
    response = client_for(personas.alice).get(f"/analytics/customers/{lyon[0].pk}/")
    page = response.content.decode()
    assert response.status_code == 200 and "class-chip--A" in page and "Trajectory" in page
    assert 'data-chart="class-timeline"' in page
    assert client_for(personas.outsider).get(f"/analytics/customers/{lyon[0].pk}/").status_code == 404
    assert client_for(personas.analyst).get(f"/analytics/customers/{lyon[0].pk}/").status_code == 404
    assert client_for(personas.service).get(f"/analytics/customers/{lyon[0].pk}/").status_code == 404
    detail = client_for(personas.alice).get(f"/customers/{lyon[0].pk}/").content.decode()
    assert f'hx-get="/analytics/customers/{lyon[0].pk}/"' in detail


def test_a_customer_without_result_says_so(personas, base) -> None:
    from fidelia.analytics.tests.factories import customer

    newcomer = customer("Nouveau", owner=personas.alice)
    page = client_for(personas.alice).get(f"/analytics/customers/{newcomer.pk}/").content.decode()
    assert "No result yet" in page


def test_pages_speak_french(personas, base) -> None:
    client = client_for(personas.analyst)
    client.cookies["django_language"] = "fr"
    response = client.get("/analytics/pareto/")
    assert response.status_code == 200 and '<html lang="fr">' in response.content.decode()


def test_pareto_chart_data_of_the_course_exercise() -> None:
    from fidelia.analytics import methods

    summary = methods.summarise_arrays(
        party_ids=_ids(20), revenue=_cents(PARETO_EXERCISE), classes=_arr(["C"] * 20), segments=_arr(["lost"] * 20),
        r=_ints([1] * 20), f=_ints([1] * 20), m=_ints([1] * 20), frat_frequency=_floats([1.0] * 20),
        frat_recency=_floats([0.0] * 20), frat_amount=_floats([1.0] * 20), frat_strategic=_floats([0.5] * 20))
    chart = views.pareto_chart(summary["pareto"])
    assert chart["top20_share"] == 80.0 and chart["customers_for_80"] == 20.0
    assert chart["points"][0] == [0.0, 0.0] and chart["points"][-1] == [100.0, 100.0]
    assert sum(bar[1] for bar in chart["bars"]) == pytest.approx(100.0, abs=0.1)


def test_tie_rules_keep_equal_values_together() -> None:
    values = [1, 1, 1, 1, 2, 3, 4, 5, 6, 7]
    for rule in ("lower", "upper"):
        scores = methods.quintile_scores(values, tie_rule=rule, higher_is_better=True)
        assert len(set(scores[:4])) == 1 and list(scores) == sorted(scores)
    assert methods.quintile_scores(values, tie_rule="lower", higher_is_better=True)[0] == 1
    assert methods.quintile_scores(values, tie_rule="upper", higher_is_better=True)[0] == 2


def _ids(n: int):
    import numpy as np
    return np.arange(1, n + 1, dtype=np.int64)


def _cents(values):
    import numpy as np
    return np.array([v * 100 for v in values], dtype=np.int64)


def _ints(values):
    import numpy as np
    return np.array(values, dtype=np.int64)


def _floats(values):
    import numpy as np
    return np.array(values, dtype=np.float64)


def _arr(values):
    import numpy as np
    return np.array(values)


@pytest.mark.parametrize("url", DASHBOARDS + ["/analytics/rfm/?ties=upper", "/analytics/abc/?cls=A&export=xlsx"])
def test_an_empty_base_shows_empty_dashboards(personas, url) -> None:
    response = client_for(personas.manager).get(url)
    assert response.status_code == 200
    if "export" not in url and "migrations" not in url:
        assert "0 customers analysed" in response.content.decode()
