"""Earning rules (base rate, family rate, bonus window), idempotent re-runs, expiry, tiers, the
append-only ledger."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from fidelia.loyalty import services
from fidelia.loyalty.enums import EntryKind
from fidelia.loyalty.models import BonusEvent, FamilyRule, LedgerEntry
from fidelia.loyalty.tests import factories as f
from fidelia.parties.tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def world(personas):
    prog = f.programme(actor=personas.admin)
    party = factories.person(owner=personas.alice)
    return prog, party, f.member(prog, party)


def test_base_family_and_bonus_rules(personas, world):
    prog, party, member = world
    savings = f.product(actor=personas.admin, code="LIV", family="Épargne")
    home = f.product(actor=personas.admin, code="MRH", family="IARD")
    FamilyRule.objects.create(programme=prog, family=home.family, points_per_euro=Decimal("2.5"))
    BonusEvent.objects.create(programme=prog, name="Double points", starts_on=TODAY - dt.timedelta(days=12),
                              ends_on=TODAY - dt.timedelta(days=8), multiplier=Decimal("2"))
    BonusEvent.objects.create(programme=prog, name="Triple", starts_on=TODAY - dt.timedelta(days=10),
                              ends_on=TODAY - dt.timedelta(days=10), multiplier=Decimal("3"))
    f.purchase(party, savings, "100.90", TODAY - dt.timedelta(days=20))   # 100 (rounded down)
    f.purchase(party, home, "40", TODAY - dt.timedelta(days=20))          # 40 × 2.5 = 100
    f.purchase(party, savings, "50", TODAY - dt.timedelta(days=9))        # 50 × 2 = 100
    f.purchase(party, home, "10", TODAY - dt.timedelta(days=10))          # 10 × 2.5 × 3 = 75
    f.purchase(party, savings, "-30", TODAY - dt.timedelta(days=5))       # refund: no points
    assert services.points_earn_for_transactions(since=TODAY - dt.timedelta(days=30)) == 4
    points = sorted(LedgerEntry.objects.filter(membership=member).values_list("points", flat=True))
    assert points == [75, 100, 100, 100]
    assert services.balance_of(member.pk) == 375


def test_rerun_earns_nothing_twice_and_non_members_earn_nothing(personas, world):
    prog, party, member = world
    prod = f.product(actor=personas.admin, code="LIV", family="Épargne")
    f.purchase(party, prod, "80", TODAY - dt.timedelta(days=3))
    f.purchase(factories.person(owner=personas.alice), prod, "500", TODAY - dt.timedelta(days=3))
    assert services.points_earn_for_transactions(since=TODAY - dt.timedelta(days=7)) == 1
    assert services.points_earn_for_transactions(since=TODAY - dt.timedelta(days=7)) == 0
    assert services.points_earn_for_transactions(since=TODAY - dt.timedelta(days=365)) == 0
    assert LedgerEntry.objects.count() == 1 and services.balance_of(member.pk) == 80


def test_purchases_before_joining_earn_nothing(personas):
    prog = f.programme(actor=personas.admin)
    party = factories.person(owner=personas.alice)
    member = f.member(prog, party, joined_on=TODAY - dt.timedelta(days=2))
    prod = f.product(actor=personas.admin, code="LIV", family="Épargne")
    f.purchase(party, prod, "80", TODAY - dt.timedelta(days=3))
    f.purchase(party, prod, "20", TODAY - dt.timedelta(days=1))
    services.points_earn_for_transactions(since=TODAY - dt.timedelta(days=7))
    assert services.balance_of(member.pk) == 20


def test_expiry_takes_unspent_old_points_once(personas, world):
    prog, party, member = world
    services.points_adjust(membership=member, points=300, reason="Reprise", actor=None,
                           occurred_on=TODAY - dt.timedelta(days=800))
    services.points_adjust(membership=member, points=200, reason="Récent", actor=None,
                           occurred_on=TODAY - dt.timedelta(days=30))
    member.refresh_from_db()
    services.points_adjust(membership=member, points=-100, reason="Geste annulé", actor=None)
    assert services.points_expire(today=TODAY) == 1
    assert services.points_expire(today=TODAY) == 0
    expired = LedgerEntry.objects.get(kind=EntryKind.EXPIRE)
    assert expired.points == -200 and services.balance_of(member.pk) == 200
    assert services.points_expire(today=TODAY + dt.timedelta(days=1)) == 0


def test_tiers_follow_points_earned_over_twelve_months(personas, world):
    prog, party, member = world
    services.tiers_recompute(today=TODAY)
    member.refresh_from_db()
    assert member.tier.name == "Argent"
    services.points_adjust(membership=member, points=4000, reason="Ancien", actor=None,
                           occurred_on=TODAY - dt.timedelta(days=400))
    services.points_adjust(membership=member, points=1200, reason="Récent", actor=None,
                           occurred_on=TODAY - dt.timedelta(days=10))
    assert services.tiers_recompute(today=TODAY) == 1
    member.refresh_from_db()
    assert member.tier.name == "Or"
    services.points_adjust(membership=member, points=3800, reason="Récent", actor=None, occurred_on=TODAY)
    services.tiers_recompute(today=TODAY)
    member.refresh_from_db()
    assert member.tier.name == "Platine"
    assert services.tiers_recompute(today=TODAY) == 0


def test_ledger_refuses_updates_in_orm_and_database(world):
    prog, party, member = world
    entry = services.points_adjust(membership=member, points=10, reason="Test", actor=None)
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(points=99)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE loyalty_ledgerentry SET points = 99 WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).points == 10


def test_services_never_update_ledger_rows(personas, world, django_assert_max_num_queries):
    """Every statement the services send about the ledger is an INSERT or a SELECT."""
    from django.test.utils import CaptureQueriesContext

    prog, party, member = world
    prod = f.product(actor=personas.admin, code="LIV", family="Épargne")
    f.purchase(party, prod, "2000", TODAY - dt.timedelta(days=1))
    with CaptureQueriesContext(connection) as ctx:
        services.points_earn_for_transactions(since=TODAY - dt.timedelta(days=7))
        member.refresh_from_db()
        services.reward_redeem(membership=member, reward=f.reward(prog, 1000), actor=None, version=member.version)
        services.loyalty_daily(today=TODAY)
    ledger = [q["sql"] for q in ctx.captured_queries if "loyalty_ledgerentry" in q["sql"]]
    assert ledger and not [s for s in ledger if s.lstrip().upper().startswith(("UPDATE", "DELETE"))]
