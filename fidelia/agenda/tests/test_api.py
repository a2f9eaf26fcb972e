"""The agenda API: CRUD with If-Match (428 without, 412 stale), delegation (read → 403 on change,
none → 404), shares, feed rotation and revocation, bad input → 422 with the one error shape."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar

from fidelia.agenda.models import Appointment
from fidelia.agenda.tests.factories import book
from fidelia.core.testing import make_token
from fidelia.parties.tests.factories import person

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 5, 12)
BODY = {"title": "Visite", "start": "2026-05-12T10:00:00+02:00", "end": "2026-05-12T11:00:00+02:00",
        "channel": "visit"}


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {make_token(user)}"})


def test_create_read_update_with_if_match(personas) -> None:
    customer = person(owner=personas.alice)
    client = api(personas.alice)
    created = client.post("/api/agenda/appointments", {**BODY, "party_id": customer.pk}, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["party_id"] == customer.pk and data["owner_id"] == personas.alice.pk and created["ETag"] == '"1"'
    url = f"/api/agenda/appointments/{data['id']}"
    assert client.get(url)["ETag"] == '"1"'
    changed = {**BODY, "title": "Visite reportée"}
    assert client.put(url, changed, content_type="application/json").status_code == 428
    assert client.put(url, changed, content_type="application/json", headers={"If-Match": '"1"'}).status_code == 200
    stale = client.put(url, {**BODY, "title": "Vieux"}, content_type="application/json", headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "stale_version"
    assert Appointment.objects.get().title == "Visite reportée"


def test_conflicts_are_reported(personas) -> None:
    existing = book(personas.alice, DAY, 10)
    data = api(personas.alice).post("/api/agenda/appointments", BODY, content_type="application/json").json()
    assert data["conflict_ids"] == [existing.pk]


@pytest.mark.parametrize("body,field", [
    ({**BODY, "end": "2026-05-12T09:00:00+02:00"}, "end"),
    ({**BODY, "start": "2026-05-12T10:00:00"}, "start"),
    ({**BODY, "title": ""}, "title"),
    ({**BODY, "party_id": 999999}, "party_id"),
    ({**BODY, "attendee_ids": [999999]}, "attendee_ids"),
    ({**BODY, "version": 3}, "version"),
    ({**BODY, "channel": "fax"}, "channel"),
])
def test_bad_input_answers_422(personas, body, field) -> None:
    response = api(personas.alice).post("/api/agenda/appointments", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert not Appointment.objects.exists()


def test_delegation_through_the_api(personas) -> None:
    row = book(personas.alice, DAY, 10)
    url = f"/api/agenda/appointments/{row.pk}"
    bob = api(personas.bob)
    assert bob.get(url).status_code == 404
    assert bob.post("/api/agenda/appointments", {**BODY, "owner_id": personas.alice.pk},
                    content_type="application/json").status_code == 422
    api(personas.alice).post("/api/agenda/shares", {"delegate_id": personas.bob.pk, "level": "read"},
                             content_type="application/json")
    assert bob.get(url).status_code == 200
    assert bob.post(f"{url}/cancel", {}, content_type="application/json", headers={"If-Match": '"1"'}).status_code == 403
    listed = bob.get("/api/agenda/appointments", {"start": "2026-05-11T00:00:00Z", "end": "2026-05-18T00:00:00Z",
                                                  "calendar": personas.alice.pk})
    assert [a["id"] for a in listed.json()] == [row.pk]
    assert {c["access"] for c in bob.get("/api/agenda/calendars").json()} == {"own", "read"}
    shares = api(personas.alice).get("/api/agenda/shares").json()
    api(personas.alice).post("/api/agenda/shares", {"delegate_id": personas.bob.pk, "level": "write"},
                             content_type="application/json")
    cancelled = bob.post(f"{url}/cancel", {"reason": "Absente"}, content_type="application/json",
                         headers={"If-Match": '"1"'})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api(personas.outsider).get(url).status_code == 404
    assert api(personas.outsider).get("/api/agenda/appointments", {
        "start": "2026-05-11T00:00:00Z", "end": "2026-05-18T00:00:00Z", "calendar": personas.alice.pk}).status_code == 404
    assert api(personas.alice).delete(f"/api/agenda/shares/{shares[0]['id']}").status_code == 204
    assert bob.get(url).status_code == 404
    assert api(personas.analyst).get("/api/agenda/calendars").status_code == 404


def test_list_window_is_bounded(personas) -> None:
    response = api(personas.alice).get("/api/agenda/appointments", {"start": "2026-01-01T00:00:00Z",
                                                                    "end": "2028-01-01T00:00:00Z"})
    assert response.status_code == 422


def test_complete_through_the_api_logs_the_report(personas) -> None:
    customer = person(owner=personas.alice)
    row = book(personas.alice, dt.date.today() - dt.timedelta(days=1), 10, party=customer)
    response = api(personas.alice).post(f"/api/agenda/appointments/{row.pk}/complete",
                                        {"status": "done", "outcome": "sale", "report": "Signé"},
                                        content_type="application/json", headers={"If-Match": '"1"'})
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert customer.interactions.filter(report="Signé").exists()


def test_feed_rotate_and_revoke(personas) -> None:
    book(personas.alice, DAY, 10, title="Dans le flux")
    client = api(personas.alice)
    url = client.post("/api/agenda/feed", {}, content_type="application/json").json()["url"]
    path = url.replace("http://testserver", "")
    feed = Client().get(path)
    assert feed.status_code == 200
    assert [str(e["summary"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")] in ([], ["Dans le flux"])
    assert client.delete("/api/agenda/feed").status_code == 204
    assert Client().get(path).status_code == 404
