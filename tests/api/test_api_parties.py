"""The customer file through the API: create, read, update, sub-resources, search, duplicates."""
from __future__ import annotations

import pytest

from fidelia.core.models import ActivityEvent
from fidelia.parties.models import Party
from fidelia.parties.tests import factories
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db

NEW_PERSON = {
    "kind": "person", "first_name": "Élodie", "last_name": "Le Goff", "birth_date": "1985-04-12",
    "email": "Elodie.LeGoff@Example.fr", "phone": "06 12 34 56 78",
    "address": {"line1": "12 rue de la République", "postcode": "69002", "city": "Lyon"},
    "tags": ["vip", "auto"],
}


def test_create_person_returns_the_file_with_an_etag(personas, api_as):
    response = api_as(personas.alice).post_json("/api/parties", NEW_PERSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["display_name"] == "Élodie LE GOFF"
    assert body["owner"]["username"] == "alice"
    assert body["phones"] == [{"id": body["phones"][0]["id"], "kind": "mobile", "number": "+33612345678",
                               "display": "06 12 34 56 78", "is_primary": True}]
    assert body["phone_display"] == "06 12 34 56 78"
    assert body["emails"][0]["address"] == "Elodie.LeGoff@example.fr"
    assert body["tags"] == ["auto", "vip"]
    assert "search_text" not in body
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert ActivityEvent.objects.filter(action="party.created", object_id=body["id"]).exists()


def test_create_organisation_validates_french_identifiers(personas, api_as):
    response = api_as(personas.alice).post_json(
        "/api/parties", {"kind": "organisation", "legal_name": "ACME", "siren": "123456789"})
    error = assert_error(response, 422, "invalid")
    assert "siren" in error["fields"]


def test_validation_errors_name_each_field(personas, api_as):
    response = api_as(personas.alice).post_json(
        "/api/parties", {"kind": "robot", "birth_date": "2020-13-45", "employees": 10**30,
                         "first_name": "x" * 500, "address": {"line1": "a", "postcode": "1", "city": "b",
                                                              "country": "France"}})
    error = assert_error(response, 422, "invalid")
    assert {"kind", "birth_date", "employees", "first_name", "address.country"} <= set(error["fields"])


def test_service_validation_errors_use_the_same_shape(personas, api_as):
    response = api_as(personas.alice).post_json("/api/parties", {"kind": "person", "phone": "12"})
    error = assert_error(response, 422, "invalid")
    assert set(error["fields"]) == {"last_name", "phone"}


@pytest.mark.parametrize("payload, field", [
    ({"kind": "person", "last_name": "X", "birth_date": "0001-01-01"}, "birth_date"),
    ({"kind": "person", "last_name": "X", "owner": 2**62}, "owner"),
    ({"kind": "person", "last_name": "X", "team": 999999}, "team"),
    ({"kind": "person", "last_name": "X", "organisation": 999999}, "organisation"),
    ({"kind": "person", "last_name": "X\x00"}, "last_name"),
    ({"kind": "person", "last_name": "X", "owner": 2**64}, "owner"),
])
def test_bad_references_and_values_are_field_errors(personas, api_as, payload, field):
    error = assert_error(api_as(personas.admin).post_json("/api/parties", payload), 422, "invalid")
    assert field in error["fields"]


def test_malformed_json_is_a_400_in_the_same_shape(personas, api_as):
    response = api_as(personas.alice).post("/api/parties", "{nope", content_type="application/json")
    assert_error(response, 400, "malformed_request")


def test_possible_duplicate_answers_409_with_candidates(personas, api_as):
    existing = factories.person(owner=personas.alice, email="elodie.legoff@example.fr")
    client = api_as(personas.alice)
    error = assert_error(client.post_json("/api/parties", NEW_PERSON), 409, "possible_duplicate")
    assert error["candidates"][0]["party_id"] == existing.pk
    assert error["candidates"][0]["visible"] is True
    assert error["candidates"][0]["reasons"]
    assert client.post_json("/api/parties", {**NEW_PERSON, "allow_duplicate": True}).status_code == 201


def test_duplicate_outside_the_portfolio_is_not_disclosed(personas, api_as):
    factories.person(owner=personas.alice, email="elodie.legoff@example.fr")
    error = assert_error(api_as(personas.outsider).post_json("/api/parties", NEW_PERSON), 409, "possible_duplicate")
    assert error["candidates"] == [{"party_id": None, "display_name": None, "reasons": error["candidates"][0]["reasons"],
                                    "visible": False}]


def test_duplicates_check_endpoint(personas, api_as):
    existing = factories.person(owner=personas.alice, phone="0612345678")
    response = api_as(personas.alice).get("/api/parties/duplicates", {"phone": "+33 6 12 34 56 78"})
    assert response.status_code == 200
    assert [c["party_id"] for c in response.json()] == [existing.pk]
    assert api_as(personas.alice).get("/api/parties/duplicates", {"phone": "+33 6 12 34 56 78",
                                                                  "exclude": existing.pk}).json() == []


def test_patch_needs_if_match_and_refuses_stale_versions(personas, api_as):
    party = factories.person(owner=personas.alice)
    client = api_as(personas.alice)
    etag = client.get(f"/api/parties/{party.pk}").headers["ETag"]

    assert_error(client.patch_json(f"/api/parties/{party.pk}", {"notes": "x"}), 428, "precondition_required")
    assert_error(client.patch_json(f"/api/parties/{party.pk}", {"notes": "x"}, headers={"If-Match": "nonsense"}),
                 412, "stale_version")

    first = client.patch_json(f"/api/parties/{party.pk}", {"notes": "Appeler en mai", "tags": ["vip"]},
                              headers={"If-Match": etag})
    assert first.status_code == 200, first.content
    assert first.json()["notes"] == "Appeler en mai"
    assert first.json()["tags"] == ["vip"]
    assert first.headers["ETag"] != etag

    stale = client.patch_json(f"/api/parties/{party.pk}", {"notes": "overwrite"}, headers={"If-Match": etag})
    assert_error(stale, 412, "stale_version")
    party.refresh_from_db()
    assert party.notes == "Appeler en mai"


def test_patch_changes_only_the_fields_sent(personas, api_as):
    party = factories.person(owner=personas.alice, first_name="Jean", last_name="Dupont")
    client = api_as(personas.alice)
    response = client.patch_json(f"/api/parties/{party.pk}", {"stage": "former"}, headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.content
    assert response.json()["display_name"] == "Jean DUPONT"
    assert response.json()["stage"] == "former"


def test_patch_refuses_null_for_a_required_text(personas, api_as):
    party = factories.person(owner=personas.alice)
    response = api_as(personas.alice).patch_json(f"/api/parties/{party.pk}", {"last_name": None},
                                                 headers={"If-Match": '"1"'})
    assert_error(response, 422, "invalid")


def test_list_filters_sorts_and_paginates(personas, api_as):
    for i in range(3):
        factories.person(owner=personas.alice, first_name="Jean", last_name=f"Zeta{i}", address=factories.AddressInput(
            line1="1 rue", postcode="69003", city="Lyon"))
    factories.person(owner=personas.alice, first_name="Jean", last_name="Alpha", stage="prospect")
    client = api_as(personas.alice)
    page = client.get("/api/parties", {"page_size": 2, "sort": "-name"}).json()
    assert page["count"] == 4 and len(page["items"]) == 2
    assert page["items"][0]["display_name"].endswith("ZETA2")
    assert client.get("/api/parties", {"stage": "prospect"}).json()["count"] == 1
    assert client.get("/api/parties", {"city": "lyon"}).json()["count"] == 3
    assert client.get("/api/parties", {"q": "zeta1"}).json()["count"] == 1
    assert client.get("/api/parties", {"page": 99}).json()["items"] == []
    assert_error(client.get("/api/parties", {"stage": "vip"}), 422, "invalid")
    assert_error(client.get("/api/parties", {"page_size": 1000}), 422, "invalid")


def test_search_finds_names_despite_accents_and_typos(personas, api_as):
    party = factories.person(owner=personas.alice, first_name="Élodie", last_name="Lefèvre")
    response = api_as(personas.alice).get("/api/parties/search", {"q": "elodie lefevre"})
    assert response.status_code == 200
    assert [p["id"] for p in response.json()] == [party.pk]


def test_contact_points_add_and_remove(personas, api_as):
    party = factories.person(owner=personas.alice)
    client = api_as(personas.alice)
    base = f"/api/parties/{party.pk}"
    email = client.post_json(f"{base}/emails", {"address": "new@example.fr", "is_primary": True})
    assert email.status_code == 201, email.content
    assert email.json()["is_primary"] is True
    phone = client.post_json(f"{base}/phones", {"number": "+44 20 7946 0958", "kind": "work"})
    assert phone.status_code == 201 and phone.json()["number"] == "+442079460958"
    assert phone.json()["display"] == "+44 20 7946 0958"
    address = client.post_json(f"{base}/addresses", {"line1": "3 place Bellecour", "postcode": "69002",
                                                       "city": "Lyon", "is_primary": True})
    assert address.status_code == 201, address.content
    party.refresh_from_db()
    assert party.email == "new@example.fr" and party.city == "Lyon"
    assert_error(client.post_json(f"{base}/phones", {"number": "nope"}), 422, "invalid")

    assert client.delete(f"{base}/emails/{email.json()['id']}").status_code == 204
    assert client.delete(f"{base}/phones/{phone.json()['id']}").status_code == 204
    assert client.delete(f"{base}/addresses/{address.json()['id']}").status_code == 204
    assert_error(client.delete(f"{base}/emails/{email.json()['id']}"), 404, "not_found")


def test_household_members_and_life_events(personas, api_as):
    party = factories.person(owner=personas.alice)
    client = api_as(personas.alice)
    base = f"/api/parties/{party.pk}"
    child = client.post_json(f"{base}/household-members", {"role": "child", "first_name": "Léa",
                                                            "birth_date": "2010-05-01"})
    assert child.status_code == 201, child.content
    event = client.post_json(f"{base}/life-events", {"kind": "higher_education", "date": "2028-09-01",
                                                      "member": child.json()["id"]})
    assert event.status_code == 201, event.content
    assert event.json()["member_id"] == child.json()["id"]
    assert [e["kind"] for e in client.get(f"{base}/life-events").json()] == ["higher_education"]
    assert_error(client.post_json(f"{base}/life-events", {"kind": "birth", "date": "2024-01-01", "member": 999999}),
                 422, "invalid")
    assert client.delete(f"{base}/household-members/{child.json()['id']}").status_code == 204
    assert client.get(base).json()["household_members"] == []


def test_consent_history(personas, api_as):
    party = factories.person(owner=personas.alice)
    client = api_as(personas.alice)
    base = f"/api/parties/{party.pk}/consents"
    assert client.post_json(base, {"channel": "email", "purpose": "newsletter", "granted": True,
                                   "recorded_at": "2025-01-01T10:00:00+01:00"}).status_code == 201
    withdrawn = client.post_json(base, {"channel": "email", "purpose": "newsletter", "granted": False})
    assert withdrawn.status_code == 201 and withdrawn.json()["source"] == "api"
    assert [c["granted"] for c in client.get(base).json()] == [False, True]
    state = client.get(f"/api/parties/{party.pk}").json()["consents"]
    assert state[0]["current"]["granted"] is False
    assert_error(client.post_json(base, {"channel": "email", "purpose": "newsletter", "granted": True,
                                         "recorded_at": "2025-01-01T10:00:00"}), 422, "invalid")


def test_unknown_party_is_404(personas, api_as):
    assert_error(api_as(personas.admin).get("/api/parties/999999"), 404, "not_found")


def test_path_ids_out_of_range_are_422_not_500(personas, api_as):
    assert_error(api_as(personas.admin).get(f"/api/parties/{2**70}"), 422, "invalid")
    assert_error(api_as(personas.admin).get("/api/parties/abc"), 422, "invalid")


def test_list_query_count_is_pinned(personas, api_as, django_assert_max_num_queries):
    for _ in range(30):
        party = factories.person(owner=personas.alice)
        party.tags.set([])
    Party.objects.first().tags.create(name="vip")
    client = api_as(personas.alice)
    with django_assert_max_num_queries(6):
        response = client.get("/api/parties", {"page_size": 100})
    assert response.json()["count"] == 30
