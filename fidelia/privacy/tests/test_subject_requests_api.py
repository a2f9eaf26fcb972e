"""The request register over the API: DPO and administrators only (404 for everyone else)."""
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fidelia.accounts.services import api_token_create
from fidelia.parties.tests import factories
from fidelia.privacy.models import SubjectRequest


def api(user) -> Client:
    _token, raw = api_token_create(user=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def body(**extra):
    return {"kind": "access", "requester_name": "Jeanne Durand", "channel": "letter",
            "received_on": (timezone.localdate() - dt.timedelta(days=40)).isoformat(), **extra}


@pytest.mark.django_db
def test_dpo_registers_lists_and_reads_a_request(personas):
    party = factories.person(owner=personas.alice)
    client = api(personas.dpo)
    created = client.post("/api/privacy/requests", body(party_id=party.pk), content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["party_id"] == party.pk and data["deadline_state"] == "overdue" and data["status"] == "received"
    listed = client.get("/api/privacy/requests", {"deadline": "overdue"}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == data["id"]
    assert client.get("/api/privacy/requests", {"deadline": "later"}).json()["count"] == 0
    detail = client.get(f"/api/privacy/requests/{data['id']}")
    assert detail["ETag"] == '"1"' and [e["action"] for e in detail.json()["events"]] == ["created"]


@pytest.mark.django_db
def test_bad_input_is_a_clear_422_and_writes_nothing(personas):
    client = api(personas.admin)
    unknown_party = client.post("/api/privacy/requests", body(party_id=99999), content_type="application/json")
    assert unknown_party.status_code == 422 and "party_id" in unknown_party.json()["error"]["fields"]
    future = client.post("/api/privacy/requests", body(received_on=(timezone.localdate() + dt.timedelta(days=3)).isoformat()),
                         content_type="application/json")
    assert future.status_code == 422 and "received_on" in future.json()["error"]["fields"]
    assert client.post("/api/privacy/requests", body(kind="complaint"), content_type="application/json").status_code == 422
    assert not SubjectRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["manager", "alice", "outsider", "marketing", "service", "analyst"])
def test_everyone_else_gets_404(personas, name):
    request = SubjectRequest.objects.create(kind="access", requester_name="X", received_on=timezone.localdate(),
                                            due_on=timezone.localdate())
    client = api(getattr(personas, name))
    assert client.get("/api/privacy/requests").status_code == 404
    assert client.get(f"/api/privacy/requests/{request.pk}").status_code == 404
    assert client.post("/api/privacy/requests", body(), content_type="application/json").status_code == 404
    assert SubjectRequest.objects.count() == 1
