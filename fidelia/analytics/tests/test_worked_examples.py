"""DOMAIN.md §6 worked examples, end to end: parties and transactions in the database, the real
run service, then the stored rows and the selectors."""
from __future__ import annotations

import pytest

from fidelia.analytics import selectors
from fidelia.analytics.models import AnalysisRun, CustomerAnalytics, CustomerSnapshot
from fidelia.analytics.services import analytics_run
from fidelia.analytics.tests.factories import REFERENCE, customers_with_revenues

PARETO = [225000, 175000, 30000, 40000, 5000, 20000, 10000, 15000, 15000, 5000, 8000, 5000, 5000, 5000,
          20000, 225000, 2000, 5000, 10000, 175000]
ABC = [6000, 80000, 35000, 11000, 250000, 9000, 8000, 30000, 60000, 5000, 1500, 7000, 20000, 8000,
       40000, 70000, 3000, 4500, 350000, 2000]

pytestmark = pytest.mark.django_db


def test_pareto_exercise_top_20_percent_make_exactly_80_percent(personas) -> None:
    parties = customers_with_revenues(PARETO)
    run = analytics_run(actor=personas.analyst, reference_date=REFERENCE)
    run.refresh_from_db()
    assert run.status == "done" and run.customers == 20
    pareto = run.summary["pareto"]
    assert pareto["top_count"] == 4
    assert pareto["top_share"] == pytest.approx(0.80, abs=1e-12)
    assert pareto["customers_for_80"] == 4 and pareto["share_customers_for_80"] == 0.2
    assert run.summary["total_revenue"] == 1_000_000
    # the four big customers (1, 2, 16, 20) rank first; equal revenues rank by id
    top = list(CustomerAnalytics.objects.order_by("rank").values_list("party_id", flat=True)[:4])
    assert top == [parties[0].pk, parties[15].pk, parties[1].pk, parties[19].pk]
    fourth = CustomerAnalytics.objects.get(rank=4)
    assert fourth.cumulative_share == pytest.approx(0.8)
    assert selectors.pareto_for_user(personas.analyst)["pareto"]["top_share"] == pytest.approx(0.8)


def test_abc_exercise_shares_are_60_31_5_8_5(personas) -> None:
    parties = customers_with_revenues(ABC)
    analytics_run(actor=personas.admin, reference_date=REFERENCE)
    classes = {row["key"]: row for row in selectors.abc_for_user(personas.analyst)["abc"]["classes"]}
    assert {k: v["count"] for k, v in classes.items()} == {"A": 2, "B": 6, "C": 12}
    assert classes["A"]["share"] == pytest.approx(0.60, abs=1e-12)
    assert classes["B"]["share"] == pytest.approx(0.315, abs=1e-12)
    assert classes["C"]["share"] == pytest.approx(0.085, abs=1e-12)
    assert classes["A"]["revenue"] == 600_000 and classes["B"]["revenue"] == 315_000
    stored = dict(CustomerAnalytics.objects.values_list("party_id", "abc_class"))
    assert {p.pk for p in parties if stored[p.pk] == "A"} == {parties[18].pk, parties[4].pk}  # 350k, 250k
    # the month's snapshot holds the same classes
    snap = dict(CustomerSnapshot.objects.filter(period=REFERENCE.replace(day=1)).values_list("party_id", "abc_class"))
    assert snap == stored


def test_a_second_run_replaces_the_results_and_the_months_snapshot(personas) -> None:
    customers_with_revenues(ABC)
    analytics_run(actor=None, reference_date=REFERENCE)
    analytics_run(actor=None, reference_date=REFERENCE)
    assert CustomerAnalytics.objects.count() == 20
    assert CustomerSnapshot.objects.count() == 20
    assert AnalysisRun.objects.filter(status="done").count() == 2
    assert selectors.latest_run().customers == 20
