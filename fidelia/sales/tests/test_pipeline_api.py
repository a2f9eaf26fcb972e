"""The sales force through the API: leads, conversion (409 with candidates), opportunities and the move
with If-Match (428 / 412), quotes (create, edit, send, accept), reports, web-to-lead; outsider 404."""
from __future__ import annotations

import time

import pytest

from fidelia.core.testing import make_token
from fidelia.parties.tests.factories import person
from fidelia.sales.models import Contract, Lead
from fidelia.sales.tests.factories import opportunity, product, stage
from tests.api.conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db


def api(user) -> ApiClient:
    return ApiClient(make_token(user))


def test_opportunity_lifecycle_with_etags(personas):
    party = person(owner=personas.alice)
    client = api(personas.alice)
    created = client.post_json("/api/opportunities", {"party": party.pk, "name": "Prêt auto", "amount": "15000",
                                                      "expected_close": "2030-06-30"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["stage"]["code"] == "qualification" and body["probability"] == 10 and body["weighted_amount"] == "1500.00"
    pk = body["id"]
    assert created.headers["ETag"] == '"1"'
    move = f"/api/opportunities/{pk}/move"
    assert_error(client.post_json(move, {"stage": stage("proposal").pk}), 428, "precondition_required")
    moved = client.post_json(move, {"stage": stage("proposal").pk}, headers={"If-Match": '"1"'})
    assert moved.status_code == 200 and moved.json()["probability"] == 50 and moved.headers["ETag"] == '"2"'
    assert_error(client.post_json(move, {"stage": stage("won").pk}, headers={"If-Match": '"1"'}), 412, "stale_version")
    error = assert_error(client.post_json(move, {"stage": stage("lost").pk}, headers={"If-Match": '"2"'}), 422, "invalid")
    assert "lost_reason" in error["fields"]
    history = client.get(f"/api/opportunities/{pk}/history").json()
    assert [h["to_stage_id"] for h in history] == [stage("qualification").pk, stage("proposal").pk]
    patched = client.patch_json(f"/api/opportunities/{pk}", {"amount": "16000", "next_step": "RDV", "next_step_on": "2030-01-10"},
                                headers={"If-Match": '"2"'})
    assert patched.status_code == 200 and patched.json()["amount"] == "16000.00"
    assert_error(client.patch_json(f"/api/opportunities/{pk}", {"probability": 150}, headers={"If-Match": '"3"'}), 422, "invalid")
    assert_error(api(personas.outsider).get(f"/api/opportunities/{pk}"), 404, "not_found")
    assert_error(api(personas.outsider).post_json(move, {"stage": stage("won").pk}, headers={"If-Match": '"3"'}),
                 404, "not_found")
    board = client.get("/api/pipeline/board").json()
    assert sum(c["count"] for c in board["columns"]) == 1


def test_lead_conversion_api_answers_409_with_candidates(personas):
    existing = person(owner=personas.alice, email="jean.martin@example.fr")
    client = api(personas.alice)
    lead = client.post_json("/api/leads", {"source": "referral", "last_name": "Martin", "email": "jean.martin@example.fr"})
    assert lead.status_code == 201, lead.content
    pk = lead.json()["id"]
    conflict = assert_error(client.post(f"/api/leads/{pk}/convert", {}, content_type="application/json",
                                        headers={"If-Match": '"1"'}), 409, "possible_duplicate")
    assert conflict["candidates"][0]["party_id"] == existing.pk
    converted = client.post_json(f"/api/leads/{pk}/convert", {"attach_to": existing.pk, "amount": "500"},
                                 headers={"If-Match": '"1"'})
    assert converted.status_code == 201 and converted.json()["party"]["id"] == existing.pk
    assert client.get(f"/api/leads/{pk}").json()["status"] == "converted"
    assert_error(api(personas.outsider).get(f"/api/leads/{pk}"), 404, "not_found")


def test_quote_api_create_edit_send_accept(personas, mail_server, django_capture_on_commit_callbacks):
    livret = product(actor=personas.admin)
    party = person(owner=personas.alice, email="client@example.fr")
    opp = opportunity(party=party, actor=personas.alice)
    client = api(personas.alice)
    created = client.post_json("/api/quotes", {"party": party.pk, "opportunity": opp.pk, "lines": [
        {"product": livret.pk, "quantity": 3, "discount_rate": "10", "vat_rate": "20"}]})
    assert created.status_code == 201, created.content
    q = created.json()
    assert (q["total_excl_tax"], q["total_tax"], q["total_incl_tax"]) == ("270.00", "54.00", "324.00")
    error = assert_error(client.post_json("/api/quotes", {"party": party.pk, "lines": [
        {"product": livret.pk, "discount_rate": "101"}]}), 422, "invalid")
    assert any("discount_rate" in k for k in error["fields"])
    edited = client.patch_json(f"/api/quotes/{q['id']}", {"lines": [{"product": livret.pk}]}, headers={"If-Match": '"1"'})
    assert edited.status_code == 200 and edited.json()["total_incl_tax"] == "120.00"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post_json(f"/api/quotes/{q['id']}/send", {}, headers={"If-Match": '"2"'})
    assert sent.status_code == 200 and sent.json()["status"] == "sent" and len(mail_server.messages) == 1
    assert_error(client.patch_json(f"/api/quotes/{q['id']}", {"notes": "x"}, headers={"If-Match": '"3"'}), 422, "invalid")
    accepted = client.post(f"/api/quotes/{q['id']}/accept", headers={"If-Match": '"3"'})
    assert accepted.status_code == 201, accepted.content
    assert len(accepted.json()["contract_ids"]) == 1 and Contract.objects.filter(party=party).count() == 1
    assert client.get(f"/api/opportunities/{opp.pk}").json()["stage"]["code"] == "won"
    assert_error(api(personas.outsider).get(f"/api/quotes/{q['id']}"), 404, "not_found")


def test_reports_api_for_analyst_not_marketing(personas):
    opportunity(party=person(owner=personas.alice), actor=personas.alice)
    report = api(personas.analyst).get("/api/sales-reports?date_from=2020-01-01&date_to=2035-12-31")
    assert report.status_code == 200 and report.json()["weighted_total"] == "100.00"
    assert_error(api(personas.marketing).get("/api/sales-reports"), 404, "not_found")
    assert_error(api(personas.marketing).get("/api/opportunities"), 404, "not_found")


def test_web_to_lead_api_is_public_and_guarded(client, settings):
    settings.FIDELIA_WEB_LEAD_MIN_SECONDS = 2
    settings.FIDELIA_WEB_LEAD_RATE = "3/hour"
    ok = client.post("/api/web-leads", {"last_name": "Public", "email": "public@example.fr", "consent": True,
                                        "consent_wording": "J'accepte.", "started_at": time.time() - 30},
                     content_type="application/json")
    assert ok.status_code == 201, ok.content
    assert Lead.objects.get().consent_proof["ip"] == "127.0.0.1"
    assert_error(client.post("/api/web-leads", {"last_name": "Bot", "email": "b@example.fr", "website": "x"},
                             content_type="application/json"), 422, "invalid")
    assert_error(client.post("/api/web-leads", {"last_name": "Bad", "email": "not-an-email"},
                             content_type="application/json"), 422, "invalid")
    assert_error(client.post("/api/web-leads", {"last_name": "Late", "email": "l@example.fr"},
                             content_type="application/json"), 429, "rate_limited")
    assert Lead.objects.count() == 1
