"""Last contact coming from the person vs last contact we made (the prospect retention clock)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fidelia.core.errors import ValidationFailed
from fidelia.interactions.models import Interaction
from fidelia.interactions.services import interaction_log
from fidelia.parties.models import ContactDirection, Party
from fidelia.parties.services import contact_counts_as_inbound, party_note_contact
from fidelia.parties.tests import factories


@pytest.fixture
def prospect(personas) -> Party:
    return factories.person(owner=personas.alice, stage="prospect")


def test_logged_interactions_move_the_matching_date_forward_only(personas, prospect):
    now = timezone.now().replace(microsecond=0)
    interaction_log(party=prospect, actor=personas.alice, channel="phone", direction="inbound", subject="Rappel",
                    occurred_at=now - dt.timedelta(days=2))
    interaction_log(party=prospect, actor=personas.alice, channel="email", direction="outbound", subject="Offre",
                    occurred_at=now - dt.timedelta(days=1))
    # an older contact logged afterwards does not move the date back
    interaction_log(party=prospect, actor=personas.alice, channel="visit", direction="inbound", subject="Visite",
                    occurred_at=now - dt.timedelta(days=30))
    prospect.refresh_from_db()
    assert prospect.last_inbound_at == now - dt.timedelta(days=2)
    assert prospect.last_outbound_at == now - dt.timedelta(days=1)
    assert prospect.version == 1  # a derived date: a user editing the file is not refused as stale


def test_an_email_open_is_not_a_contact_from_the_person_but_a_click_or_reply_is(prospect):
    when = timezone.now()
    assert not contact_counts_as_inbound("open")
    assert contact_counts_as_inbound("click") and contact_counts_as_inbound("reply")
    assert not party_note_contact(party=prospect, direction=ContactDirection.INBOUND, occurred_at=when,
                                  counts_as_inbound=contact_counts_as_inbound("open"))
    assert Party.objects.get(pk=prospect.pk).last_inbound_at is None
    assert party_note_contact(party=prospect, direction=ContactDirection.INBOUND, occurred_at=when,
                              counts_as_inbound=contact_counts_as_inbound("click"))
    assert Party.objects.get(pk=prospect.pk).last_inbound_at == when
    # an outbound message is always ours, whatever the reaction
    assert party_note_contact(party=prospect, direction=ContactDirection.OUTBOUND, occurred_at=when,
                              counts_as_inbound=False)
    assert Party.objects.get(pk=prospect.pk).last_outbound_at == when


def test_an_unknown_direction_is_refused_and_nothing_is_logged(personas, prospect):
    with pytest.raises(ValidationFailed):
        interaction_log(party=prospect, actor=personas.alice, channel="phone", direction="sideways", subject="?")
    assert not Interaction.objects.filter(party=prospect).exists()
    prospect.refresh_from_db()
    assert prospect.last_inbound_at is None and prospect.last_outbound_at is None
