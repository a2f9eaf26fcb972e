"""Redemption: refused for a short balance, an unavailable reward, a stale form; never overdraws, even
with two concurrent requests (PostgreSQL); the balance is always the ledger's sum (property)."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fidelia.core.errors import StaleVersion, ValidationFailed
from fidelia.loyalty import services
from fidelia.loyalty.models import LedgerEntry, Membership, Redemption
from fidelia.loyalty.tests import factories as f
from fidelia.parties.tests import factories

TODAY = dt.date.today()


@pytest.fixture
def world(personas):
    prog = f.programme(actor=personas.admin)
    party = factories.person(owner=personas.alice)
    return prog, f.member(prog, party)


@pytest.mark.django_db
def test_redeem_spends_points_and_refuses_what_it_must(personas, world):
    prog, member = world
    services.points_adjust(membership=member, points=1500, reason="Reprise", actor=None)
    member.refresh_from_db()
    voucher, gift = f.reward(prog, 1000), f.reward(prog, 4500)
    with pytest.raises(ValidationFailed, match="Not enough points: 1500 available, 4500 needed"):
        services.reward_redeem(membership=member, reward=gift, actor=personas.alice, version=member.version)
    redemption = services.reward_redeem(membership=member, reward=voucher, actor=personas.alice, version=member.version)
    assert redemption.points == 1000 and redemption.entry.points == -1000
    assert services.balance_of(member.pk) == 500
    with pytest.raises(StaleVersion):
        services.reward_redeem(membership=member, reward=voucher, actor=personas.alice, version=member.version - 1)
    services.points_adjust(membership=member, points=1000, reason="Geste", actor=None)
    member.refresh_from_db()
    services.reward_set_active(reward=voucher, is_active=False, actor=personas.admin)
    with pytest.raises(ValidationFailed, match="not available"):
        services.reward_redeem(membership=member, reward=voucher, actor=personas.alice, version=member.version)
    with pytest.raises(ValidationFailed, match="negative"):
        services.points_adjust(membership=member, points=-2000, reason="Erreur", actor=None)
    assert Redemption.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_redemptions_cannot_overdraw(personas, world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    prog, member = world
    services.points_adjust(membership=member, points=1500, reason="Reprise", actor=None)
    member.refresh_from_db()
    voucher, version = f.reward(prog, 1000), member.version
    barrier, outcomes = threading.Barrier(2), []

    def redeem() -> None:
        try:
            barrier.wait()
            services.reward_redeem(membership=Membership.objects.get(pk=member.pk), reward=voucher, actor=None,
                                   version=version)
            outcomes.append("ok")
        except (ValidationFailed, StaleVersion) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem) for _i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["StaleVersion", "ok"]
    assert services.balance_of(member.pk) == 500 and Redemption.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_without_version_race_still_cannot_overdraw(personas, world):
    """Even two fresh forms (each read the current version) get one refusal: the lock serialises them."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    prog, member = world
    services.points_adjust(membership=member, points=1500, reason="Reprise", actor=None)
    voucher, outcomes, barrier = f.reward(prog, 1000), [], threading.Barrier(2)

    def redeem() -> None:
        try:
            barrier.wait()
            for _attempt in range(3):  # a refused stale form is reloaded and retried
                fresh = Membership.objects.get(pk=member.pk)
                try:
                    services.reward_redeem(membership=fresh, reward=voucher, actor=None, version=fresh.version)
                    outcomes.append("ok")
                    return
                except StaleVersion:
                    continue
        except ValidationFailed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem) for _i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"] and services.balance_of(member.pk) == 500


operations = st.lists(st.tuples(st.sampled_from(["earn", "redeem", "expire", "correct"]),
                                st.integers(min_value=1, max_value=3000), st.integers(min_value=0, max_value=1200)),
                      min_size=1, max_size=12)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_balance_is_ledger_sum_and_never_negative(personas, ops):
    from django.db import transaction

    with transaction.atomic():
        prog = f.programme(actor=personas.admin, validity_months=12)
        member = f.member(prog, factories.person(owner=personas.alice))
        reward = f.reward(prog, 1000)
        for day_offset, (op, amount, age) in enumerate(ops):
            member.refresh_from_db()
            try:
                if op == "earn":
                    services.points_adjust(membership=member, points=amount, reason="Achat", actor=None,
                                           occurred_on=TODAY - dt.timedelta(days=age))
                elif op == "redeem":
                    services.reward_redeem(membership=member, reward=reward, actor=None, version=member.version)
                elif op == "correct":
                    services.points_adjust(membership=member, points=-amount, reason="Erreur", actor=None)
                else:
                    services.points_expire(today=TODAY + dt.timedelta(days=day_offset))
            except ValidationFailed:
                pass
            total = sum(LedgerEntry.objects.filter(membership=member).values_list("points", flat=True))
            assert services.balance_of(member.pk) == total >= 0
        transaction.set_rollback(True)
