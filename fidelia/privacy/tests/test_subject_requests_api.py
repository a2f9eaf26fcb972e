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


@pytest.mark.django_db
def test_steps_need_the_current_version_and_follow_the_rules(personas):
    client = api(personas.dpo)
    received = timezone.localdate() - dt.timedelta(days=10)
    created = client.post("/api/privacy/requests", body(received_on=received.isoformat()),
                          content_type="application/json").json()
    url = f"/api/privacy/requests/{created['id']}"
    assert client.post(f"{url}/start").status_code == 428
    assert client.post(f"{url}/start", headers={"If-Match": '"9"'}).status_code == 412
    started = client.post(f"{url}/start", headers={"If-Match": '"1"'})
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    etag = started["ETag"]
    no_reason = client.post(f"{url}/extend", {"reason": " ", "notified_on": timezone.localdate().isoformat()},
                            content_type="application/json", headers={"If-Match": etag})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["error"]["fields"]
    extended = client.post(f"{url}/extend", {"reason": "Many accounts to gather",
                                             "notified_on": timezone.localdate().isoformat()},
                           content_type="application/json", headers={"If-Match": etag})
    assert extended.status_code == 200, extended.content
    assert extended.json()["extended"] and extended.json()["due_on"] > created["due_on"]
    again = client.post(f"{url}/extend", {"reason": "Still more", "notified_on": timezone.localdate().isoformat()},
                        content_type="application/json", headers={"If-Match": extended["ETag"]})
    assert again.status_code in (400, 409, 422) and again.json()["error"]["message"]
    done = client.post(f"{url}/complete", {"outcome": "Copy of the file sent by registered letter."},
                       content_type="application/json", headers={"If-Match": extended["ETag"]})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    history = [e["action"] for e in client.get(url).json()["events"]]
    assert history == ["created", "started", "extended", "completed"]


@pytest.mark.django_db
def test_others_cannot_take_a_step(personas):
    request = SubjectRequest.objects.create(kind="access", requester_name="X", received_on=timezone.localdate(),
                                            due_on=timezone.localdate())
    response = api(personas.manager).post(f"/api/privacy/requests/{request.pk}/refuse", {"reason": "no"},
                                          content_type="application/json", headers={"If-Match": '"1"'})
    assert response.status_code == 404
    assert SubjectRequest.objects.get(pk=request.pk).status == "received"
