"""Referral: both sides earn once the prospect becomes a customer (idempotent daily job); each fraud
guard refuses with its reason."""
from __future__ import annotations

import datetime as dt

import pytest

from fidelia.core.errors import ValidationFailed
from fidelia.loyalty import services
from fidelia.loyalty.enums import EntryKind, ReferralStatus
from fidelia.loyalty.models import LedgerEntry, Membership, Referral
from fidelia.loyalty.tests import factories as f
from fidelia.parties.models import HouseholdMember
from fidelia.parties.tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def referrer(personas):
    prog = f.programme(actor=personas.admin)
    return f.member(prog, factories.person(owner=personas.alice, first_name="Claire", last_name="Durand",
                                           birth_date=dt.date(1980, 5, 4)))


def _prospect(personas, **values):
    return factories.person(owner=personas.alice, stage="prospect", **values)


def test_both_sides_rewarded_once_after_the_first_purchase(personas, referrer):
    friend = _prospect(personas)
    referral = services.referral_register(code=referrer.referral_code.lower(), referred=friend, actor=personas.alice)
    assert services.referrals_reward(today=TODAY) == 0  # still a prospect
    prod = f.product(actor=personas.admin, code="LIV", family="Épargne")
    f.purchase(friend, prod, "120", TODAY)  # sales promotes the prospect to customer
    assert services.referrals_reward(today=TODAY) == 1
    assert services.referrals_reward(today=TODAY) == 0
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REWARDED
    newcomer = Membership.objects.get(party=friend)
    assert services.balance_of(referrer.pk) == 500 and services.balance_of(newcomer.pk) == 250
    assert LedgerEntry.objects.filter(kind=EntryKind.REFERRAL).count() == 2


@pytest.mark.parametrize(("values", "message"), [
    ({"email": "claire.durand@example.fr"}, "same e-mail"),
    ({"phone": "0611223344"}, "same phone"),
    ({"first_name": "Claire", "last_name": "DURAND", "birth_date": dt.date(1980, 5, 4)}, "same name and birth date"),
])
def test_the_same_person_under_another_file_is_refused(personas, values, message):
    prog = f.programme(actor=personas.admin)
    referrer = f.member(prog, factories.person(owner=personas.alice, first_name="Claire", last_name="Durand",
                                               birth_date=dt.date(1980, 5, 4), email="claire.durand@example.fr",
                                               phone="0611223344"))
    twin = _prospect(personas, **values)
    with pytest.raises(ValidationFailed, match=message):
        services.referral_register(code=referrer.referral_code, referred=twin, actor=None)


def test_self_household_customer_unknown_code_and_twice_are_refused(personas, referrer):
    with pytest.raises(ValidationFailed, match="cannot refer themselves"):
        services.referral_register(code=referrer.referral_code, referred=referrer.party, actor=None)
    with pytest.raises(ValidationFailed, match="does not exist"):
        services.referral_register(code="NOPE", referred=_prospect(personas), actor=None)
    child = _prospect(personas, first_name="Léo", last_name="Durand", birth_date=dt.date(2008, 1, 2))
    HouseholdMember.objects.create(party=referrer.party, role="child", first_name="Leo", birth_date=dt.date(2008, 1, 2))
    with pytest.raises(ValidationFailed, match="household"):
        services.referral_register(code=referrer.referral_code, referred=child, actor=None)
    spouse = _prospect(personas)
    HouseholdMember.objects.create(party=referrer.party, role="spouse", first_name="X", member_party=spouse)
    with pytest.raises(ValidationFailed, match="household"):
        services.referral_register(code=referrer.referral_code, referred=spouse, actor=None)
    with pytest.raises(ValidationFailed, match="already or was a customer"):
        services.referral_register(code=referrer.referral_code, referred=factories.person(owner=personas.alice),
                                   actor=None)
    friend = _prospect(personas)
    services.referral_register(code=referrer.referral_code, referred=friend, actor=None)
    with pytest.raises(ValidationFailed, match="already been referred"):
        services.referral_register(code=referrer.referral_code, referred=friend, actor=None)
    assert Referral.objects.count() == 1
