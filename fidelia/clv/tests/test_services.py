"""Runs, rescoring, retention efforts and capital, on a small base built through the services."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from fidelia.actions.facts import fact
from fidelia.clv import selectors, services
from fidelia.clv.enums import RunStatus
from fidelia.clv.models import CustomerValue, RetentionEffort, ValueModelRun
from fidelia.clv.tests.factories import AS_OF, base, product
from fidelia.core.errors import StaleVersion, ValidationFailed
from fidelia.core.models import ActivityEvent
from fidelia.parties.models import Party
from fidelia.sales import services as sales

pytestmark = pytest.mark.django_db


@pytest.fixture
def valued(personas):
    item = product(personas.admin)
    parties = base(personas.alice, item)
    run = services.value_model_run(as_of=AS_OF, actor=personas.analyst)
    return personas, parties, run, item


def test_run_stores_one_value_per_customer(valued) -> None:
    personas, parties, run, _ = valued
    assert run.status in (RunStatus.OK, RunStatus.WARNING)
    assert run.n_customers == len(parties) == CustomerValue.objects.count()
    assert set(run.params) == {"r", "alpha", "a", "b"} and set(run.spend_params) == {"p", "q", "gamma"}
    assert run.totals["clv_12m"] > 0
    value = CustomerValue.objects.order_by("-clv_12m").first()
    assert 0 <= value.p_alive <= 1 and value.clv_12m > 0
    assert value.clv_horizon >= value.clv_12m           # 36 months ≥ 12 months
    assert value.capital == value.clv_horizon - value.retention_effort
    assert ActivityEvent.objects.filter(action="clv.run").count() == 1


def test_a_second_run_replaces_the_values_and_drops_customers_without_purchases(valued) -> None:
    personas, parties, run, _ = valued
    parties[0].transactions.all().delete()
    second = services.value_model_run(as_of=AS_OF, actor=None)
    assert set(CustomerValue.objects.values_list("run_id", flat=True)) == {second.pk}
    assert not CustomerValue.objects.filter(party=parties[0]).exists()


def test_pareto_nbd_run(valued) -> None:
    run = services.value_model_run(as_of=AS_OF, actor=None, count_model="pareto_nbd")
    assert set(run.params) == {"r", "alpha", "s", "beta"}
    assert CustomerValue.objects.filter(run=run).count() == run.n_customers


def test_bad_options_are_refused_and_change_nothing(valued) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.value_model_run(as_of=AS_OF, actor=None, horizon_months=0, monthly_discount=1.5, count_model="x")
    assert set(exc.value.fields) == {"horizon_months", "monthly_discount", "count_model"}
    assert ValueModelRun.objects.count() == 1


def test_a_base_without_repeat_buyers_is_a_failed_run_that_keeps_the_last_values(valued) -> None:
    before = CustomerValue.objects.count()
    run = services.value_model_run(as_of=dt.date(2024, 1, 1), actor=None)
    assert run.status == RunStatus.FAILED and run.warnings
    assert CustomerValue.objects.count() == before


def test_retention_effort_lowers_the_capital_and_is_audited(valued) -> None:
    personas, parties, run, _ = valued
    party = CustomerValue.objects.order_by("-clv_12m").first().party
    before = CustomerValue.objects.get(party=party)
    effort = services.retention_effort_create(party=party, kind="gift", amount=Decimal("40.00"),
                                              date=dt.date.today(), note="Coffret", actor=personas.alice)
    after = CustomerValue.objects.get(party=party)
    assert after.retention_effort == Decimal("40.00")
    assert after.capital == before.clv_horizon - Decimal("40.00")
    assert ActivityEvent.objects.filter(action="clv.effort_created", party_id=party.pk).exists()
    updated = services.retention_effort_update(effort=effort, version=1, actor=personas.alice, amount=Decimal("10"))
    assert updated.version == 2 and CustomerValue.objects.get(party=party).retention_effort == Decimal("10.00")
    with pytest.raises(StaleVersion):
        services.retention_effort_update(effort=effort, version=1, actor=personas.alice, amount=Decimal("99"))
    services.retention_effort_delete(effort=updated, actor=personas.alice)
    assert CustomerValue.objects.get(party=party).capital == before.clv_horizon


@pytest.mark.parametrize("values", [
    {"kind": "bribe"}, {"amount": Decimal("0")}, {"amount": Decimal("1.234")}, {"date": dt.date(1800, 1, 1)},
    {"note": "x" * 301},
])
def test_bad_efforts_are_refused(valued, values) -> None:
    personas, parties, *_ = valued
    data = {"kind": "gift", "amount": Decimal("5"), "date": dt.date.today(), "note": "", **values}
    with pytest.raises(ValidationFailed):
        services.retention_effort_create(party=parties[0], actor=personas.alice, **data)
    assert RetentionEffort.objects.count() == 0


def test_rescore_uses_the_last_parameters_for_new_purchases(valued) -> None:
    personas, parties, run, item = valued
    party = parties[1]
    before = CustomerValue.objects.get(party=party)
    sales.transaction_record(party=party, actor=None, product=item, date=AS_OF, amount=Decimal("80"), channel="branch")
    assert services.value_rescore(party_ids=[party.pk], actor=None, as_of=AS_OF) == 1
    after = CustomerValue.objects.get(party=party)
    assert after.frequency == before.frequency + (0 if before.recency_weeks == before.age_weeks else 1)
    assert after.run_id == run.pk and after.p_alive == pytest.approx(1.0)


def test_facts_select_customers_by_value(valued) -> None:
    top = CustomerValue.objects.order_by("-clv_12m").first()
    clv = fact("clv.clv_12m")
    alive = fact("clv.p_alive")
    qs = Party.objects.annotate(v=clv.annotation(), p=alive.annotation())
    assert qs.get(pk=top.party_id).v == top.clv_12m
    assert qs.filter(v__gte=top.clv_12m).count() == 1


def test_dashboard_is_scoped(valued) -> None:
    personas, *_ = valued
    assert selectors.dashboard(user=personas.manager)["totals"]["customers"] == 40
    assert selectors.dashboard(user=personas.outsider)["totals"]["customers"] == 0
    with pytest.raises(Http404):
        selectors.dashboard(user=personas.service)


def test_privacy_export_erase_and_retention(valued, personas) -> None:
    from django.utils import timezone

    from fidelia.clv import privacy
    from fidelia.privacy.models import RetentionPolicy

    _, parties, *_ = valued
    party = CustomerValue.objects.first().party
    services.retention_effort_create(party=party, kind="discount", amount=Decimal("12"), date=dt.date(2020, 1, 1),
                                     actor=personas.alice)
    data = privacy.export(party.pk)
    assert data["customer_value"][0]["clv_12m"] and data["retention_efforts"][0]["amount"] == "12.00"
    policy = RetentionPolicy.objects.get(key="clv_retention_effort")
    outcome = privacy.efforts_to_delete(policy, now=timezone.now(), apply=False)
    assert outcome.matched == 1 and outcome.acted == 0
    assert privacy.efforts_to_delete(policy, now=timezone.now(), apply=True).acted == 1
    values = RetentionPolicy.objects.get(key="clv_customer_value")
    assert privacy.values_to_delete(values, now=timezone.now(), apply=False).matched == 0
    assert privacy.erase(party.pk) == 1
    assert not CustomerValue.objects.filter(party=party).exists()
