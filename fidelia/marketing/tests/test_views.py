"""Pages and API of marketing: rights (outsider and reps get 404), live count, invalid criteria
named by clause, the customer-file panel, and query counts."""
from __future__ import annotations

import json

import pytest

from fidelia.core.testing import make_token
from fidelia.marketing import services
from fidelia.marketing.models import Segment, SegmentVersion
from fidelia.marketing.selectors import segment_members
from fidelia.marketing.tests.factories import campaign, segment
from fidelia.parties.services import AddressInput
from fidelia.parties.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(personas):
    lyon = [factories.person(owner=personas.alice, address=AddressInput(line1="1 rue de la République", postcode="69001", city="Lyon"), stage="customer") for _ in range(3)]
    paris = [factories.person(owner=personas.outsider, address=AddressInput(line1="1 rue de Rivoli", postcode="75001", city="Paris"), stage="customer") for _ in range(2)]
    seg = segment(actor=personas.marketing)
    return {"lyon": lyon, "paris": paris, "seg": seg, "campaign": campaign(actor=personas.marketing, seg=seg)}


def test_segment_members_respect_visibility(personas, data) -> None:
    assert segment_members(segment_id=data["seg"].pk, user=personas.marketing).count() == 5
    assert set(segment_members(segment_id=data["seg"].pk, user=personas.alice)) == set(data["lyon"])
    assert segment_members(segment_id=data["seg"].pk, user=personas.analyst).count() == 0


def test_department_criterion_and_history(personas, data) -> None:
    definition = {"all": [{"fact": "marketing.department", "operator": "eq", "value": "69"}]}
    seg = services.segment_save(actor=personas.marketing, segment=data["seg"], version=1, name="Rhône",
                                definition=definition)
    assert segment_members(segment_id=seg.pk, user=personas.marketing).count() == 3
    assert list(SegmentVersion.objects.filter(segment=seg).values_list("version", flat=True)) == [2, 1]


def test_pages_for_marketing(client, personas, data) -> None:
    client.force_login(personas.marketing)
    for url in ["/marketing/", "/marketing/segments/", "/marketing/segments/new/",
                f"/marketing/segments/{data['seg'].pk}/", "/marketing/campaigns/new/",
                f"/marketing/campaigns/{data['campaign'].pk}/", f"/marketing/campaigns/{data['campaign'].pk}/edit/",
                "/marketing/campaigns/compare/", f"/marketing/campaigns/{data['campaign'].pk}/preview/"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["outsider", "alice", "service"])
def test_others_get_404(client, personas, data, who) -> None:
    client.force_login(getattr(personas, who))
    for url in ["/marketing/", "/marketing/segments/", f"/marketing/campaigns/{data['campaign'].pk}/"]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/marketing/campaigns/{data['campaign'].pk}/plan/").status_code == 404


def test_live_count_and_invalid_clause(client, personas, data) -> None:
    client.force_login(personas.marketing)
    good = json.dumps({"all": [{"fact": "parties.postcode", "operator": "contains", "value": "69"}]})
    response = client.post("/marketing/segments/count/", {"name": "x", "definition": good})
    assert b"<strong>3</strong>" in response.content
    bad = json.dumps({"all": [{"fact": "parties.stage", "operator": "eq", "value": "customer"},
                              {"any": [{"fact": "nope", "operator": "eq", "value": 1}]}]})
    response = client.post("/marketing/segments/count/", {"name": "x", "definition": bad})
    assert "Clause 2.1" in response.content.decode()
    response = client.post("/marketing/segments/new/", {"name": "Bad", "definition": bad})
    assert response.status_code == 400 and not Segment.objects.filter(name="Bad").exists()


def test_campaign_form_refuses_unknown_field(client, personas, data) -> None:
    client.force_login(personas.marketing)
    response = client.post("/marketing/campaigns/new/", {
        "name": "X", "channel": "email", "segment": data["seg"].pk, "purpose": "prospecting", "subject_fr": "Hi",
        "body_fr": "Bonjour {{ nom }}", "winner_rule": "response_rate", "wave_size": 0, "send_from": "08:00",
        "send_until": "20:00", "control_share": "0.1", "seed": 1, "fixed_cost": "0", "cost_per_message": "0",
        "margin_rate": "0.3", "attribution_days": 30})
    assert response.status_code == 400 and "{{ nom }}" in response.content.decode()


def test_party_panel(client, personas, data) -> None:
    party = data["lyon"][0]
    client.force_login(personas.alice)
    assert client.get(f"/marketing/customers/{party.pk}/panel/").status_code == 200
    client.force_login(personas.outsider)
    assert client.get(f"/marketing/customers/{party.pk}/panel/").status_code == 404


def test_api(client, personas, data, django_assert_max_num_queries) -> None:
    token = make_token(personas.marketing)
    h = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    with django_assert_max_num_queries(12):
        assert client.get("/api/marketing/campaigns", **h).json()["count"] == 1
    assert client.get(f"/api/marketing/segments/{data['seg'].pk}/count", **h).json() == {"count": 5}
    assert len(client.get(f"/api/marketing/segments/{data['seg'].pk}/preview", **h).json()) == 5
    bad = client.post("/api/marketing/segments/count", {"definition": {"all": [{"fact": "x"}]}},
                      content_type="application/json", **h)
    assert bad.status_code == 422 and "Clause 1" in bad.json()["error"]["message"]
    assert client.post(f"/api/marketing/campaigns/{data['campaign'].pk}/plan", **h).json()["status"] == "planned"
    results = client.get(f"/api/marketing/campaigns/{data['campaign'].pk}/results", **h).json()
    assert results["targeted"] == 5
    outsider = {"HTTP_AUTHORIZATION": f"Bearer {make_token(personas.outsider)}"}
    assert client.get(f"/api/marketing/campaigns/{data['campaign'].pk}", **outsider).status_code == 404


def test_privacy_export_erase(personas, data) -> None:
    from fidelia.marketing import privacy

    services.campaign_plan(campaign=data["campaign"], actor=personas.marketing)
    pid = data["lyon"][0].pk
    assert len(privacy.export(pid)["campaigns_received"]) == 1
    assert privacy.erase(pid) >= 1
    assert privacy.export(pid)["campaigns_received"] == []


def test_retention_line(personas, data) -> None:
    from fidelia.privacy.models import RetentionPolicy
    from fidelia.privacy.registry import retention_hook

    policy = RetentionPolicy.objects.get(key="marketing_history")
    from django.utils import timezone

    outcome = retention_hook("marketing_history")(policy, now=timezone.now(), apply=True)
    assert outcome.matched == 0


def test_optin_criterion_reads_the_latest_decision(personas, data) -> None:
    from fidelia.parties.services import consent_record

    a, b, c = data["lyon"]
    for party, decisions in ((a, [True]), (b, [True, False]), (c, [False, True])):
        for granted in decisions:
            consent_record(party=party, actor=personas.admin, channel="email", purpose="prospecting", granted=granted)
    seg = services.segment_save(actor=personas.marketing, name="Opt-in", definition={"all": [
        {"fact": "marketing.email_optin", "operator": "is_true"}]})
    assert set(segment_members(segment_id=seg.pk, user=personas.marketing)) == {a, c}
