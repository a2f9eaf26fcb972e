from __future__ import annotations

import pytest

from fidelia.core.testing import make_token
from fidelia.parties.tests import factories
from fidelia.surveys.models import SurveyResponse
from fidelia.surveys.tests.factories import tokens_from

pytestmark = pytest.mark.django_db


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {make_token(user)}"}


def test_create_send_answer_results(client, personas, mail_server):
    headers = _auth(personas.marketing)
    created = client.post("/api/surveys", {"name": "NPS 2026", "kind": "nps", "status": "draft"},
                          content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    survey_id = created.json()["id"]
    got = client.get(f"/api/surveys/{survey_id}", **headers)
    assert got["ETag"] == '"1"' and [q["kind"] for q in got.json()["questions"]] == ["nps", "text"]
    assert client.put(f"/api/surveys/{survey_id}/status", {"status": "active"}, content_type="application/json",
                      **headers).status_code == 428
    assert client.put(f"/api/surveys/{survey_id}/status", {"status": "active"}, content_type="application/json",
                      HTTP_IF_MATCH='"1"', **headers).status_code == 200
    party = factories.person(owner=personas.alice)
    sent = client.post(f"/api/surveys/{survey_id}/invitations", {"party_ids": [party.pk]},
                       content_type="application/json", **headers)
    assert sent.json() == {"sent": 1, "skipped": {}}
    assert client.post(f"/api/surveys/{survey_id}/invitations", {"party_ids": [10**9]},
                       content_type="application/json", **headers).status_code == 422
    [token] = tokens_from(mail_server)
    question = got.json()["questions"][0]["id"]
    assert client.post(f"/api/surveys/answers/{token}", {"answers": {str(question): "11"}},
                       content_type="application/json").status_code == 422
    assert client.post(f"/api/surveys/answers/{token}", {"answers": {str(question): "9"}},
                       content_type="application/json").status_code == 201
    assert client.post(f"/api/surveys/answers/{token}", {"answers": {str(question): "0"}},
                       content_type="application/json").status_code == 409
    assert client.post("/api/surveys/answers/forged", {"answers": {}},
                       content_type="application/json").status_code == 404
    assert SurveyResponse.objects.get().nps == 9
    results = client.get(f"/api/surveys/{survey_id}/results", **_auth(personas.analyst)).json()
    assert (results["nps"], results["promoters"], results["response_rate"]) == (100.0, 1, 100.0)
    assert client.get(f"/api/surveys/{survey_id}/invitations", **_auth(personas.analyst)).json()["count"] == 0
    assert client.get(f"/api/surveys/{survey_id}/invitations", **headers).json()["count"] == 1
    assert client.get(f"/api/surveys/{survey_id}", **_auth(personas.outsider)).status_code == 404
    assert client.post("/api/surveys", {"name": "X", "kind": "csat"}, content_type="application/json",
                       **_auth(personas.analyst)).status_code == 404


def test_knowledge_api(client, personas):
    editor = _auth(personas.service)
    created = client.post("/api/knowledge/articles", {"title": "Contester un paiement par carte",
                                                      "body": "Formulaire de contestation.", "status": "published"},
                          content_type="application/json", **editor)
    assert created.status_code == 201
    pk = created.json()["id"]
    found = client.get("/api/knowledge/articles", {"q": "contestations"}, **_auth(personas.alice)).json()
    assert [a["id"] for a in found] == [pk]
    assert client.post("/api/knowledge/articles", {"title": "X", "body": "Y"}, content_type="application/json",
                       **_auth(personas.alice)).status_code == 404
    body = {"title": "Contester un paiement", "body": "Formulaire.", "status": "published"}
    assert client.put(f"/api/knowledge/articles/{pk}", body, content_type="application/json", HTTP_IF_MATCH='"9"',
                      **editor).status_code == 412
    assert client.put(f"/api/knowledge/articles/{pk}", body, content_type="application/json", HTTP_IF_MATCH='"1"',
                      **editor).json()["version"] == 2
    assert client.post(f"/api/knowledge/articles/{pk}/uses", **_auth(personas.alice)).status_code == 204
    assert client.get(f"/api/knowledge/articles/{pk}", **editor).json()["usage_count"] == 1
