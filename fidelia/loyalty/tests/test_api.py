"""REST API: members within the caller's portfolio, redemption refusals as 422/412, validated input."""
from __future__ import annotations

import pytest

from fidelia.core.testing import make_token
from fidelia.loyalty import services
from fidelia.loyalty.tests import factories as f
from fidelia.parties.tests import factories

pytestmark = pytest.mark.django_db


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {make_token(user)}"}


@pytest.fixture
def world(personas):
    prog = f.programme(actor=personas.admin)
    party = factories.person(owner=personas.alice)
    member = f.member(prog, party)
    services.points_adjust(membership=member, points=1500, reason="Reprise", actor=None)
    return prog, party, member


def test_member_read_and_outsider_404(client, personas, world):
    prog, party, member = world
    got = client.get(f"/api/loyalty/members/{party.pk}", **_auth(personas.alice))
    assert got.status_code == 200
    body = got.json()
    assert body["balance"] == 1500 and body["tier"] is None
    assert body["referral_code"] == member.referral_code and len(body["entries"]) == 1
    assert client.get(f"/api/loyalty/members/{party.pk}", **_auth(personas.outsider)).status_code == 404
    listed = client.get("/api/loyalty/members", **_auth(personas.outsider)).json()
    assert listed["count"] == 0
    assert client.get("/api/loyalty/members", **_auth(personas.analyst)).status_code == 404


def test_redeem_through_the_api(client, personas, world):
    prog, party, member = world
    member.refresh_from_db()
    url = f"/api/loyalty/members/{party.pk}/redemptions"
    voucher, gift = f.reward(prog, 1000), f.reward(prog, 4500)
    short = client.post(url, {"reward_id": gift.pk, "version": member.version}, content_type="application/json",
                        **_auth(personas.alice))
    assert short.status_code == 422 and "Not enough points" in short.json()["error"]["message"]
    ok = client.post(url, {"reward_id": voucher.pk, "version": member.version}, content_type="application/json",
                     **_auth(personas.alice))
    assert ok.status_code == 201 and ok.json()["balance"] == 500
    stale = client.post(url, {"reward_id": voucher.pk, "version": member.version}, content_type="application/json",
                        **_auth(personas.alice))
    assert stale.status_code == 412
    for bad in ({"reward_id": "x", "version": 1}, {"reward_id": 999999, "version": 1}, {}, {"reward_id": -1, "version": 0}):
        answer = client.post(url, bad, content_type="application/json", **_auth(personas.alice))
        assert answer.status_code == 422, bad


def test_enrol_rewards_and_referral(client, personas, world):
    prog, party, member = world
    prospect = factories.person(owner=personas.alice, stage="prospect")
    enrolled = client.post("/api/loyalty/members", {"party_id": prospect.pk}, content_type="application/json",
                           **_auth(personas.alice))
    assert enrolled.status_code == 201 and enrolled.json()["balance"] == 0
    rewards = client.get("/api/loyalty/rewards", **_auth(personas.alice)).json()
    assert [r["cost"] for r in rewards] == [1000, 4500]
    other = factories.person(owner=personas.alice, stage="prospect")
    ref = client.post("/api/loyalty/referrals", {"code": member.referral_code, "referred_party_id": other.pk},
                      content_type="application/json", **_auth(personas.alice))
    assert ref.status_code == 201 and ref.json()["status"] == "pending"
    self_ref = client.post("/api/loyalty/referrals", {"code": member.referral_code, "referred_party_id": party.pk},
                           content_type="application/json", **_auth(personas.alice))
    assert self_ref.status_code == 422 and "code" in self_ref.json()["error"]["fields"]
    hidden = client.post("/api/loyalty/referrals", {"code": member.referral_code, "referred_party_id": other.pk},
                         content_type="application/json", **_auth(personas.outsider))
    assert hidden.status_code == 404
