"""Points and referral rewards at purchase time: sales' after-commit signals earn exactly the recorded
purchases (same source keys as the daily run, which then adds nothing), reward a pending referral at
the first purchase or contract, and a failure there never breaks the purchase."""
from __future__ import annotations

import datetime as dt
import logging

import pytest

from fidelia.imports import services as import_services
from fidelia.imports.tests.helpers import dry_run, full_import
from fidelia.loyalty import services
from fidelia.loyalty.enums import EntryKind, ReferralStatus
from fidelia.loyalty.models import LedgerEntry, Membership, Referral
from fidelia.loyalty.tests import factories as f
from fidelia.parties.models import Party
from fidelia.parties.tests import factories
from fidelia.sales import services as sales_services

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def world(personas):
    prog = f.programme(actor=personas.admin)
    party = factories.person(owner=personas.alice)
    prod = f.product(actor=personas.admin, code="LIV", family="Épargne")
    return prog, party, f.member(prog, party), prod


def test_points_appear_right_after_the_purchase_and_the_nightly_run_adds_nothing(world,
                                                                                 django_capture_on_commit_callbacks):
    prog, party, member, prod = world
    with django_capture_on_commit_callbacks(execute=True):
        tx = f.purchase(party, prod, "80.50", TODAY)
        assert services.balance_of(member.pk) == 0  # nothing before the commit
    entry = LedgerEntry.objects.get(membership=member)
    assert (entry.points, entry.kind, entry.source_key) == (80, EntryKind.EARN, f"tx:{prog.pk}:{tx.pk}")
    report = services.loyalty_daily(today=TODAY)
    assert report.earned == 0 and services.balance_of(member.pk) == 80


def test_only_the_announced_purchases_earn(personas, world, django_capture_on_commit_callbacks):
    prog, party, member, prod = world
    older = f.purchase(party, prod, "40", TODAY - dt.timedelta(days=3))  # not announced (no commit here)
    with django_capture_on_commit_callbacks(execute=True):
        f.purchase(party, prod, "10", TODAY)
        f.purchase(party, prod, "-5", TODAY)  # a refund earns nothing
    assert services.balance_of(member.pk) == 10
    assert services.loyalty_daily(today=TODAY).earned == 1  # the older purchase, by the nightly run
    assert LedgerEntry.objects.filter(source_key=f"tx:{prog.pk}:{older.pk}").exists()


def test_referral_rewarded_at_the_first_purchase(personas, world, django_capture_on_commit_callbacks):
    prog, referrer_party, referrer, prod = world
    friend = factories.person(owner=personas.alice, stage="prospect")
    referral = services.referral_register(code=referrer.referral_code, referred=friend, actor=personas.alice)
    with django_capture_on_commit_callbacks(execute=True):
        f.purchase(friend, prod, "120", TODAY)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REWARDED and referral.rewarded_on == TODAY
    newcomer = Membership.objects.get(party=friend, programme=prog)
    # the welcome bonus, and the first purchase itself (the newcomer is enrolled first)
    assert services.balance_of(newcomer.pk) == 250 + 120 and services.balance_of(referrer.pk) == 500
    report = services.loyalty_daily(today=TODAY)
    assert (report.earned, report.referrals) == (0, 0)


def test_referral_rewarded_at_a_first_contract(personas, world, django_capture_on_commit_callbacks):
    prog, referrer_party, referrer, prod = world
    friend = factories.person(owner=personas.alice, stage="prospect")
    services.referral_register(code=referrer.referral_code, referred=friend, actor=personas.alice)
    with django_capture_on_commit_callbacks(execute=True):
        sales_services.contract_create(party=friend, actor=personas.admin, product=prod, start_date=TODAY)
    assert Referral.objects.get(referred=friend).status == ReferralStatus.REWARDED
    assert services.balance_of(referrer.pk) == 500
    assert LedgerEntry.objects.filter(kind=EntryKind.REFERRAL).count() == 2


def test_a_failing_loyalty_step_does_not_break_the_purchase(world, monkeypatch, caplog,
                                                             django_capture_on_commit_callbacks):
    prog, party, member, prod = world

    def broken(**_kw):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "loyalty_on_sales", broken)
    with caplog.at_level(logging.ERROR, logger="fidelia.loyalty.receivers"), \
            django_capture_on_commit_callbacks(execute=True):
        tx = f.purchase(party, prod, "60", TODAY)
    assert tx.pk and "the daily run will" in caplog.text
    assert services.balance_of(member.pk) == 0
    monkeypatch.undo()
    assert services.loyalty_daily(today=TODAY).earned == 1  # the nightly run catches up
    assert services.balance_of(member.pk) == 60


def test_an_import_of_transactions_earns_points(personas, world, django_capture_on_commit_callbacks):
    prog, _party, _member, prod = world
    full_import(personas.manager, "Code client;Nom;Prénom\nC1;Dupont;Anne\nC2;Martin;Paul\n", config={"source": "crm"})
    member = f.member(prog, Party.objects.get(last_name="Dupont"))
    day = (TODAY - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    csv = (f"Code client;Code produit;Date;Montant;Quantité\nC1;LIV;{day};99,90;1\nC1;LIV;{day};25,00;1\n"
           f"C2;LIV;{day};500,00;1\n")
    run = dry_run(personas.manager, csv, target="transactions", config={"source": "crm"})
    run = import_services.import_run_start(run=run, actor=personas.manager)
    with django_capture_on_commit_callbacks(execute=True):
        run = import_services.import_run_execute(run_id=run.pk)
    assert run.counts["create"] == 3
    assert services.balance_of(member.pk) == 99 + 25  # the non-member earns nothing
    assert LedgerEntry.objects.count() == 2
    assert services.loyalty_daily(today=TODAY).earned == 0


def test_many_ids_are_earned_in_chunks(personas, world, monkeypatch):
    prog, party, member, prod = world
    ids = [f.purchase(party, prod, "1", TODAY).pk for _ in range(7)]
    monkeypatch.setattr(services, "EARN_CHUNK", 3)
    assert services.loyalty_on_sales(party_ids=[party.pk], transaction_ids=ids + [999999]) == (0, 7)
    assert services.loyalty_on_sales(party_ids=[party.pk], transaction_ids=ids) == (0, 0)
    assert services.balance_of(member.pk) == 7


def test_a_referral_to_a_closed_programme_waits_without_breaking_the_run(personas, world,
                                                                          django_capture_on_commit_callbacks):
    prog, referrer_party, referrer, prod = world
    friend = factories.person(owner=personas.alice, stage="prospect")
    services.referral_register(code=referrer.referral_code, referred=friend, actor=personas.alice)
    services.programme_update(programme=prog, actor=personas.admin, version=prog.version, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        f.purchase(friend, prod, "120", TODAY)
    assert Referral.objects.get(referred=friend).status == ReferralStatus.PENDING
    assert services.loyalty_daily(today=TODAY).referrals == 0
