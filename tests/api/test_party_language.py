"""The customer's language through the API: French by default, `en` accepted, anything else a 422."""
from __future__ import annotations

import pytest

from fidelia.parties.models import Party
from fidelia.parties.tests import factories
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db


def test_language_in_and_out(personas, api_as):
    client = api_as(personas.alice)
    body = client.post_json("/api/parties", {"kind": "person", "last_name": "Dupont"}).json()
    assert body["language"] == "fr"
    body = client.post_json("/api/parties", {"kind": "person", "last_name": "Smith", "language": "en"}).json()
    assert body["language"] == "en"
    listed = {p["display_name"]: p["language"] for p in client.get("/api/parties").json()["items"]}
    assert listed == {"DUPONT": "fr", "SMITH": "en"}
    etag = client.get(f"/api/parties/{body['id']}").headers["ETag"]
    response = client.patch_json(f"/api/parties/{body['id']}", {"language": "fr"}, headers={"If-Match": etag})
    assert response.status_code == 200 and response.json()["language"] == "fr"


def test_an_unknown_language_is_refused_and_nothing_changes(personas, api_as):
    client = api_as(personas.alice)
    assert_error(client.post_json("/api/parties", {"kind": "person", "last_name": "Klein", "language": "de"}),
                 422, "invalid")
    assert not Party.objects.filter(last_name="Klein").exists()
    party = factories.person(owner=personas.alice, language="en")
    etag = client.get(f"/api/parties/{party.pk}").headers["ETag"]
    for bad in ("", "EN", "english", None, 3):
        assert_error(client.patch_json(f"/api/parties/{party.pk}", {"language": bad}, headers={"If-Match": etag}),
                     422, "invalid")
    party.refresh_from_db()
    assert party.language == "en"
