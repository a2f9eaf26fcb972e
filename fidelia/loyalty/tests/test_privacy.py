"""Memberships, the ledger, redemptions, referrals and club enrolments are the person's data: in the
subject export (without the other side of a referral) and deleted at erasure; a retention line."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fidelia.loyalty import services
from fidelia.loyalty.models import (
    Club,
    ClubEnrolment,
    LedgerEntry,
    Membership,
    Redemption,
    Referral,
)
from fidelia.loyalty.privacy import RETENTION_KEY, members_to_delete
from fidelia.loyalty.tests import factories as f
from fidelia.parties.tests import factories
from fidelia.privacy.models import RetentionPolicy
from fidelia.privacy.services import subject_erase, subject_export

pytestmark = pytest.mark.django_db


def test_export_and_erase(personas):
    prog = f.programme(actor=personas.admin)
    party = factories.person(owner=personas.alice)
    member = f.member(prog, party)
    services.points_adjust(membership=member, points=1500, reason="Reprise de points", actor=None)
    member.refresh_from_db()
    services.reward_redeem(membership=member, reward=f.reward(prog, 1000), actor=None, version=member.version)
    friend = factories.person(owner=personas.alice, stage="prospect", last_name="Zorglub")
    services.referral_register(code=member.referral_code, referred=friend, actor=None)
    services.club_enrol(club=Club.objects.create(name="Club Golf"), party=party, actor=None)
    flat = str(subject_export(party_id=party.pk))
    assert "Reprise de points" in flat and member.referral_code in flat and "Club Golf" in flat
    assert "Bon d'achat" in flat and "Zorglub" not in flat
    assert "loyalty_referred_by" in str(subject_export(party_id=friend.pk))
    subject_erase(party_id=party.pk, actor=personas.dpo)
    assert not Membership.objects.filter(party=party).exists() and not LedgerEntry.objects.exists()
    assert not Redemption.objects.exists() and not Referral.objects.exists() and not ClubEnrolment.objects.exists()


def test_erasing_the_referred_person_removes_the_referral(personas):
    prog = f.programme(actor=personas.admin)
    member = f.member(prog, factories.person(owner=personas.alice))
    friend = factories.person(owner=personas.alice, stage="prospect")
    services.referral_register(code=member.referral_code, referred=friend, actor=None)
    subject_erase(party_id=friend.pk, actor=personas.dpo)
    assert not Referral.objects.exists() and Membership.objects.filter(pk=member.pk).exists()


def test_retention_line_and_hook(personas):
    policy = RetentionPolicy.objects.get(key=RETENTION_KEY)
    assert (policy.duration, policy.duration_unit, policy.action) == (36, "months", "delete")
    prog = f.programme(actor=personas.admin)
    old = f.member(prog, factories.person(owner=personas.alice), joined_on=dt.date.today() - dt.timedelta(days=2000))
    services.points_adjust(membership=old, points=10, reason="Ancien", actor=None,
                           occurred_on=dt.date.today() - dt.timedelta(days=1500))
    active = f.member(prog, factories.person(owner=personas.alice), joined_on=dt.date.today() - dt.timedelta(days=2000))
    services.points_adjust(membership=active, points=10, reason="Récent", actor=None)
    dry = members_to_delete(policy, now=timezone.now(), apply=False)
    assert (dry.matched, dry.acted) == (1, 0)
    done = members_to_delete(policy, now=timezone.now(), apply=True)
    assert (done.matched, done.acted) == (1, 1)
    assert list(Membership.objects.values_list("pk", flat=True)) == [active.pk]
