"""The rule engine: each built-in rule fires on a crafted customer and not on a near miss; invalid
conditions are refused naming the clause; the daily job is idempotent and orders by priority."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fidelia.actions import services
from fidelia.actions.compiler import compile_condition, matching_parties
from fidelia.actions.enums import ActionStatus
from fidelia.actions.models import Action, ActionRule
from fidelia.actions.tests import factories as f
from fidelia.core.errors import ValidationFailed
from fidelia.parties.models import Party
from fidelia.parties.tests.factories import person

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)
D = dt.timedelta


def fires(key: str, party: Party, today: dt.date = TODAY) -> bool:
    rule = ActionRule.objects.get(key=key)
    return matching_parties(rule.condition, as_of=today).filter(pk=party.pk).exists()


@pytest.fixture
def two(personas):
    return person(owner=personas.alice), person(owner=personas.alice)


def test_builtin_rules_are_seeded(db):
    keys = set(ActionRule.objects.filter(builtin=True).values_list("key", flat=True))
    assert {"naissance-attendue", "anniversaire-enfant", "etudes-superieures", "vehicule-ancien",
            "renouvellement-contrat", "client-a-sans-contact", "relance-campagne"} <= keys
    assert not ActionRule.objects.get(key="relance-campagne").automatic


def test_expected_birth(two):
    hit, miss = two
    f.event(hit, "expected_birth", TODAY + D(days=120))
    f.event(miss, "expected_birth", TODAY + D(days=121))
    f.event(miss, "expected_birth", TODAY - D(days=1))
    assert fires("naissance-attendue", hit) and not fires("naissance-attendue", miss)


def test_child_birthday(two):
    hit, miss = two
    f.child(hit, dt.date(2015, 6, 29))           # in 14 days
    f.child(miss, dt.date(2015, 6, 30))          # in 15 days
    f.child(miss, dt.date(2015, 6, 14))          # yesterday
    assert fires("anniversaire-enfant", hit) and not fires("anniversaire-enfant", miss)


def test_child_birthday_window_across_new_year(two):
    hit, miss = two
    f.child(hit, dt.date(2016, 1, 3))
    f.child(miss, dt.date(2016, 1, 10))
    today = dt.date(2026, 12, 25)
    assert fires("anniversaire-enfant", hit, today) and not fires("anniversaire-enfant", miss, today)


def test_child_entering_higher_education(two):
    hit, miss = two
    f.child(hit, dt.date(2008, 6, 15) + D(days=90))   # 18 in 90 days
    f.child(miss, dt.date(2008, 6, 15) + D(days=91))  # 18 in 91 days
    f.child(miss, dt.date(2008, 6, 14))               # 18 yesterday
    assert fires("etudes-superieures", hit) and not fires("etudes-superieures", miss)


def test_vehicle_older_than_eleven_years(personas, two):
    hit, miss = two
    f.event(hit, "vehicle_purchase", dt.date(2015, 6, 14))
    f.event(miss, "vehicle_purchase", dt.date(2015, 6, 15))       # exactly 11 years: not older
    replaced = person(owner=personas.alice)
    f.event(replaced, "vehicle_purchase", dt.date(2001, 1, 1))
    f.event(replaced, "vehicle_purchase", dt.date(2024, 1, 1))    # the latest vehicle counts
    assert fires("vehicule-ancien", hit)
    assert not fires("vehicule-ancien", miss) and not fires("vehicule-ancien", replaced)


def test_contract_renewal_within_60_days(two):
    hit, miss = two
    f.contract(hit, renewal=TODAY + D(days=60))
    f.contract(miss, renewal=TODAY + D(days=61))
    f.contract(miss, renewal=TODAY + D(days=10), status="cancelled")
    assert fires("renouvellement-contrat", hit) and not fires("renouvellement-contrat", miss)


def test_valuable_customer_without_contact(personas, two):
    hit, miss = two
    never = person(owner=personas.alice)
    class_b = person(owner=personas.alice)
    for party, abc in ((hit, "A"), (miss, "A"), (never, "A"), (class_b, "B")):
        f.analytics(party, abc, today=TODAY)
    noon = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)
    Party.objects.filter(pk=hit.pk).update(last_inbound_at=noon - D(days=181), last_outbound_at=None)
    Party.objects.filter(pk=miss.pk).update(last_inbound_at=noon - D(days=200), last_outbound_at=noon - D(days=180))
    Party.objects.filter(pk__in=[never.pk, class_b.pk]).update(last_inbound_at=None, last_outbound_at=None)
    assert fires("client-a-sans-contact", hit) and fires("client-a-sans-contact", never)
    assert not fires("client-a-sans-contact", miss) and not fires("client-a-sans-contact", class_b)


def test_products_held_and_age(personas, two):
    holder, other = two
    f.contract(holder, renewal=None, code="LIVA")
    Party.objects.filter(pk=holder.pk).update(birth_date=dt.date(1990, 6, 15))
    Party.objects.filter(pk=other.pk).update(birth_date=dt.date(1990, 6, 16))
    held = {"all": [{"fact": "sales.product_held", "operator": "held", "value": ["LIVA"]}]}
    not_held = {"all": [{"fact": "sales.product_held", "operator": "not_held", "value": "LIVA"}]}
    age36 = {"all": [{"fact": "parties.age", "operator": "gte", "value": 36}]}
    pks = {holder.pk, other.pk}

    def match(cond: dict) -> set[int]:
        return set(matching_parties(cond, as_of=TODAY).filter(pk__in=pks).values_list("pk", flat=True))

    assert match(held) == {holder.pk} and match(not_held) == {other.pk} and match(age36) == {holder.pk}


@pytest.mark.parametrize(("condition", "message"), [
    ({"all": [{"fact": "nope.fact", "operator": "eq", "value": 1}]}, "Clause 1: unknown fact"),
    ({"all": [{"fact": "parties.age", "operator": "within_next_days", "value": 3}]}, "Clause 1: operator"),
    ({"all": [{"fact": "parties.age", "operator": "eq", "value": 1},
              {"any": [{"fact": "parties.stage", "operator": "eq", "value": "martian"}]}]}, "Clause 2.1:"),
    ({"all": [{"fact": "sales.contract_renewal", "operator": "within_next_days", "value": -4}]}, "whole number"),
    ({"all": [{"fact": "parties.birth_date", "operator": "before", "value": "31/12/2020"}]}, "YYYY-MM-DD"),
    ({"all": []}, "at least one clause"),
    ({"maybe": []}, "group must be"),
    ("all", "group must be"),
])
def test_invalid_conditions_are_refused_naming_the_clause(db, condition, message):
    with pytest.raises(ValidationFailed) as exc:
        compile_condition(condition, as_of=TODAY)
    assert message in exc.value.message


def test_invalid_rule_is_not_saved(personas):
    before = ActionRule.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.rule_create(actor=personas.manager, name="Bad", title_template="x {name}",
                             condition={"all": [{"fact": "parties.age", "operator": "gt", "value": "old"}]})
    assert "Clause 1" in exc.value.fields["condition"][0]
    assert ActionRule.objects.count() == before


def test_refresh_is_idempotent_and_expires(personas, two):
    hit, _miss = two
    f.contract(hit, renewal=TODAY + D(days=30))
    f.event(hit, "expected_birth", TODAY + D(days=30))
    first = services.actions_refresh(as_of=TODAY)
    assert first.created >= 2
    again = services.actions_refresh(as_of=TODAY)
    assert again.created == 0
    assert Action.objects.filter(party=hit).count() == first.created
    action = Action.objects.filter(party=hit).first()
    assert action.owner == personas.alice and action.team == personas.lyon
    later = services.actions_refresh(as_of=TODAY + D(days=200), rule_key="naissance-attendue")
    assert later.expired >= 1
    assert Action.objects.filter(party=hit, status=ActionStatus.EXPIRED).exists()


def test_dry_run_writes_nothing(two):
    hit, _ = two
    f.contract(hit, renewal=TODAY + D(days=30))
    report = services.actions_refresh(as_of=TODAY, dry_run=True)
    assert report.matched >= 1 and report.created == 0 and not Action.objects.exists()


def test_priority_weights_value_and_urgency(personas, two):
    rich, poor = two
    f.analytics(rich, "A", today=TODAY)
    for party in two:
        f.contract(party, renewal=TODAY + D(days=20))
    services.actions_refresh(as_of=TODAY, rule_key="renouvellement-contrat")
    by_party = dict(Action.objects.values_list("party_id", "priority"))
    assert by_party[rich.pk] == pytest.approx(4 * 1.5 * (1 + 7 / 21), abs=1e-3)
    assert by_party[poor.pk] == pytest.approx(4 * 0.8 * (1 + 7 / 21), abs=1e-3)


def test_one_query_per_rule(two):
    hit, _ = two
    f.contract(hit, renewal=TODAY + D(days=30))
    rule = ActionRule.objects.get(key="renouvellement-contrat")
    with CaptureQueriesContext(connection) as ctx:
        services.rule_apply(rule=rule, as_of=TODAY)
    assert len(ctx.captured_queries) == 1
