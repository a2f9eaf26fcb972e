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


def test_orders_refunds_archived_lines_and_frat_are_counted_as_documented(personas) -> None:
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from fidelia.analytics.tests.factories import buy, customer, product
    from fidelia.sales.models import Transaction

    tactical = product("tactical", code="T")
    strategic = product("strategic", code="S")
    party = customer("Durand", owner=personas.alice)
    buy(party, [(dt.date(2026, 1, 10), "10.05"), (dt.date(2026, 1, 10), "19.95")], item=strategic)  # one order: 30
    buy(party, [(dt.date(2026, 3, 1), "60.00")], item=tactical)
    buy(party, [(dt.date(2026, 5, 1), "90.00")], item=strategic)
    buy(party, [(dt.date(2026, 5, 20), "-20.00")], item=strategic)          # a refund: revenue, not an order
    old = buy(party, [(dt.date(2026, 6, 1), "1000.00")], item=strategic)
    Transaction.objects.filter(pk=old[0].pk).update(archived_at=timezone.now())   # erased/archived: left out
    buy(party, [(dt.date(2025, 6, 30), "500.00")], item=strategic)          # before the 12-month period
    only_refund = customer("Refund", owner=personas.alice)
    buy(only_refund, [(dt.date(2026, 2, 1), "-5.00")])

    run = analytics_run(actor=None, reference_date=REFERENCE)
    run.refresh_from_db()
    assert run.customers == 1 and run.excluded == 1
    row = CustomerAnalytics.objects.get(party=party)
    assert row.revenue == Decimal("160.00") and row.margin == Decimal("32.00")
    assert row.orders == 3
    assert (row.first_purchase, row.last_purchase) == (dt.date(2026, 1, 10), dt.date(2026, 5, 1))
    assert row.recency_days == (REFERENCE - dt.date(2026, 5, 1)).days
    assert row.frat_recency_days == (dt.date(2026, 5, 1) - dt.date(2026, 1, 10)).days      # 111
    assert row.frat_frequency_days == pytest.approx(111 / 2)
    assert row.frat_amount_ratio == pytest.approx(90 / (180 / 3))                           # last / average order
    assert row.frat_strategic_share == pytest.approx(120 / 180)                             # by amount, no refunds
    # a lone customer sits at the middle of every quintile scale (mid-rank 50 % → 3), and in C
    # (round(0.1) = round(0.4) = 0 customers in A and B)
    assert row.rfm_cell == "3-3-3" and row.rfm_segment == "need_attention" and row.abc_class == "C"
