"""Merging two files of the same person carries the loyalty membership, its points and clubs over to
the survivor without touching the append-only ledger; two memberships are never fused silently."""
from __future__ import annotations

import datetime as dt

import pytest

from fidelia.dedup.services import MergeRefused, party_merge, party_merge_undo
from fidelia.dedup.tests import factories as df
from fidelia.loyalty import services
from fidelia.loyalty.models import ClubEnrolment, LedgerEntry, Membership
from fidelia.loyalty.tests.factories import member, programme

pytestmark = pytest.mark.django_db


def test_the_losers_membership_points_and_club_move_to_the_survivor_and_back(personas) -> None:
    prog = programme(actor=personas.admin)
    survivor, loser = df.pair(personas.alice)
    membership = member(prog, loser)
    services.points_adjust(membership=membership, points=300, reason="Geste commercial", actor=personas.admin)
    club = services.club_create(name="Club Jardin", actor=personas.admin)
    services.club_enrol(club=club, party=loser, actor=personas.admin)
    entries = list(LedgerEntry.objects.filter(membership=membership).values_list("pk", "points", "membership_id"))

    merge = party_merge(survivor=survivor, loser=loser, actor=personas.manager)

    membership.refresh_from_db()
    assert membership.party_id == survivor.pk
    assert services.balance_of(membership.pk) == 300
    assert list(LedgerEntry.objects.filter(membership=membership).values_list("pk", "points", "membership_id")) == entries
    assert ClubEnrolment.objects.get(club=club).party_id == survivor.pk

    party_merge_undo(merge=merge, actor=personas.manager)
    membership.refresh_from_db()
    assert membership.party_id == loser.pk and services.balance_of(membership.pk) == 300
    assert ClubEnrolment.objects.get(club=club).party_id == loser.pk


def test_two_memberships_are_refused_and_nothing_moves(personas) -> None:
    prog = programme(actor=personas.admin)
    survivor, loser = df.pair(personas.alice)
    kept, other = member(prog, survivor), member(prog, loser, joined_on=dt.date.today())
    with pytest.raises(MergeRefused):
        party_merge(survivor=survivor, loser=loser, actor=personas.manager)
    assert Membership.objects.get(pk=other.pk).party_id == loser.pk
    assert Membership.objects.get(pk=kept.pk).party_id == survivor.pk
