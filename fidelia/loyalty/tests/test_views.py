"""Pages: the Loyalty page for marketing and managers, the customer-file panel with the portfolio's
access rule (an outsider gets 404), redeeming and referring from the panel."""
from __future__ import annotations

import pytest
from django.urls import reverse

from fidelia.core.testing import verified_login
from fidelia.loyalty import services
from fidelia.loyalty.models import Club, Redemption, Referral
from fidelia.loyalty.tests import factories as f
from fidelia.parties.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    prog = f.programme(actor=personas.admin)
    party = factories.person(owner=personas.alice)
    member = f.member(prog, party)
    services.points_adjust(membership=member, points=1200, reason="Reprise", actor=None)
    return prog, party, member


def test_loyalty_page_for_marketing_not_for_reps(client, personas, world, django_assert_max_num_queries):
    client.force_login(personas.marketing)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("loyalty:index"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Platine" in body and "Carte cadeau" in body and "1,200" in body and world[1].display_name in body
    client.force_login(personas.alice)
    assert client.get(reverse("loyalty:index")).status_code == 404


def test_manager_pages_add_tier_reward_club(client, personas, world):
    verified_login(client, personas.admin)
    client.post(reverse("loyalty:tier_add"), {"name": "Diamant", "threshold": "20000", "benefits": "Conciergerie"})
    client.post(reverse("loyalty:reward_add"), {"name": "Séjour", "cost": "20000", "description": ""})
    client.post(reverse("loyalty:club_add"), {"name": "Club Golf", "description": "Parcours partenaires"})
    page = client.get(reverse("loyalty:index")).content.decode()
    assert "Diamant" in page and "Séjour" in page and "Club Golf" in page
    client.force_login(personas.manager)
    assert client.post(reverse("loyalty:club_add"), {"name": "X"}).status_code == 404


def test_panel_and_redeem_respect_the_portfolio(client, personas, world):
    prog, party, member = world
    client.force_login(personas.outsider)
    assert client.get(reverse("loyalty:party_panel", args=[party.pk])).status_code == 404
    assert client.post(reverse("loyalty:redeem", args=[party.pk]), {}).status_code == 404
    client.force_login(personas.alice)
    panel = client.get(reverse("loyalty:party_panel", args=[party.pk]))
    assert panel.status_code == 200 and member.referral_code in panel.content.decode()
    member.refresh_from_db()
    voucher = f.reward(prog, 1000)
    done = client.post(reverse("loyalty:redeem", args=[party.pk]), {"reward": voucher.pk, "version": member.version})
    assert done.status_code == 200 and Redemption.objects.count() == 1
    again = client.post(reverse("loyalty:redeem", args=[party.pk]), {"reward": voucher.pk, "version": member.version + 1})
    assert again.status_code == 422 and "Not enough points" in again.content.decode()
    stale = client.post(reverse("loyalty:redeem", args=[party.pk]), {"reward": voucher.pk, "version": member.version})
    assert stale.status_code == 409
    bad = client.post(reverse("loyalty:redeem", args=[party.pk]), {"reward": "x", "version": "-"})
    assert bad.status_code == 422


def test_panel_enrol_refer_and_join_a_club(client, personas, world):
    prog, party, member = world
    prospect = factories.person(owner=personas.alice, stage="prospect")
    club = Club.objects.create(name="Club Vins")
    client.force_login(personas.alice)
    refused = client.post(reverse("loyalty:refer", args=[party.pk]), {"code": member.referral_code})
    assert refused.status_code == 422
    ok = client.post(reverse("loyalty:refer", args=[prospect.pk]), {"code": member.referral_code})
    assert ok.status_code == 200 and Referral.objects.filter(referred=prospect).exists()
    assert client.post(reverse("loyalty:enrol", args=[prospect.pk])).status_code == 200
    assert client.post(reverse("loyalty:club_join", args=[prospect.pk]), {"club": club.pk}).status_code == 422
    assert client.post(reverse("loyalty:club_join", args=[prospect.pk]), {"club": club.pk, "consent": "on"}).status_code == 200
    assert club.enrolments.filter(party=prospect).exists()
