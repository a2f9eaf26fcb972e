"""API tokens may be read-only and/or limited to some applications; they never grant more than
their user's role, and a revoked token stops working at once."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from fidelia.accounts.models import ApiToken
from fidelia.parties.tests.factories import person
from fidelia.privacy.models import AuditEntry
from tests.api.conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db
NEW_PERSON = {"kind": "person", "first_name": "Léa", "last_name": "Roux"}


def test_a_read_only_token_reads_but_every_change_is_refused(personas, api_as):
    party = person(owner=personas.alice, first_name="Anne", last_name="Durand")
    client = api_as(personas.alice, read_only=True)
    assert client.get("/api/parties").status_code == 200
    read = client.get(f"/api/parties/{party.pk}")
    assert read.status_code == 200
    etag = read["ETag"]
    assert_error(client.post_json("/api/parties", NEW_PERSON), 403, "token_scope")
    assert_error(client.patch_json(f"/api/parties/{party.pk}", {"first_name": "Anna"}, headers={"If-Match": etag}),
                 403, "token_scope")
    assert_error(client.delete(f"/api/parties/{party.pk}/emails/1"), 403, "token_scope")
    party.refresh_from_db()
    assert party.first_name == "Anne"
    denied = AuditEntry.objects.filter(action="access_denied", actor_id=personas.alice.pk, channel="api")
    assert denied.count() == 3
    # The same user with an unscoped token may write.
    assert api_as(personas.alice).post_json("/api/parties", NEW_PERSON).status_code == 201


def test_an_application_limited_token_gets_403_elsewhere(personas, api_as, product):
    party = person(owner=personas.alice, first_name="Anne", last_name="Durand")
    client = api_as(personas.alice, apps=["parties"])
    assert client.get(f"/api/parties/{party.pk}").status_code == 200
    assert client.post_json("/api/parties", NEW_PERSON).status_code == 201
    assert_error(client.get("/api/products"), 403, "token_scope")
    # The app is the endpoint's, not the URL's first word: a customer's contracts are sales data.
    assert_error(client.get(f"/api/parties/{party.pk}/contracts"), 403, "token_scope")
    assert_error(client.get(f"/api/parties/{party.pk}/interactions"), 403, "token_scope")
    assert_error(client.get("/api/me"), 403, "token_scope")
    both = api_as(personas.alice, apps=["parties", "sales"])
    assert both.get(f"/api/parties/{party.pk}/contracts").status_code == 200
    assert both.get("/api/products").status_code == 200


def test_a_token_never_grants_more_than_its_role(personas, api_as):
    party = person(owner=personas.alice, first_name="Anne", last_name="Durand")
    outsider = api_as(personas.outsider, apps=["parties"])
    assert_error(outsider.get(f"/api/parties/{party.pk}"), 404, "not_found")
    assert party.pk not in {p["id"] for p in outsider.get("/api/parties").json()["items"]}
    marketing = api_as(personas.marketing)  # reads every file, changes none
    assert marketing.get(f"/api/parties/{party.pk}").status_code == 200
    assert marketing.patch_json(f"/api/parties/{party.pk}", {"first_name": "X"},
                                headers={"If-Match": '"1"'}).status_code in {403, 404}


def test_revoked_and_unknown_tokens_get_401(personas, api_as):
    client = api_as(personas.alice)
    token = ApiToken.objects.get(user=personas.alice)
    assert client.get("/api/me").status_code == 200
    assert client.delete(f"/api/tokens/{token.pk}").status_code == 204
    assert_error(client.get("/api/me"), 401, "unauthenticated")
    assert_error(ApiClient("fid_not-a-token").get("/api/me"), 401, "unauthenticated")
    assert AuditEntry.objects.filter(action="token", fields=["revoked"]).count() == 1


def test_tokens_are_created_with_scopes_and_a_scoped_token_cannot_mint_tokens(personas, api_as):
    client = api_as(personas.alice)
    created = client.post_json("/api/tokens", {"name": "BI", "read_only": True, "apps": ["sales", "parties"]})
    assert created.status_code == 201, created.content
    assert created.json()["read_only"] is True and created.json()["apps"] == ["parties", "sales"]
    scoped = ApiClient(created.json()["token"])
    assert_error(scoped.post_json("/api/tokens", {"name": "escape"}), 403, "token_scope")
    accounts_only = api_as(personas.alice, apps=["accounts"])
    assert_error(accounts_only.post_json("/api/tokens", {"name": "escape"}), 403, "token_scope")
    error = assert_error(client.post_json("/api/tokens", {"name": "x", "apps": ["nope"]}), 422, "invalid")
    assert "apps" in error["fields"]
    listed = {t["name"]: t for t in client.get("/api/tokens").json()}
    assert listed["BI"]["read_only"] is True and listed["BI"]["apps"] == ["parties", "sales"]
    assert ApiToken.objects.filter(user=personas.alice).count() == 3  # two fixtures and BI: no escape


def test_createtoken_with_scopes(personas):
    out = io.StringIO()
    call_command("createtoken", "alice", "--name", "BI", "--read-only", "--apps", "parties,sales",
                 stdout=out, stderr=io.StringIO())
    token = ApiToken.objects.get(digest=ApiToken.hash(out.getvalue().strip()))
    assert token.read_only and token.apps == ["parties", "sales"]
    with pytest.raises(CommandError, match="Unknown application"):
        call_command("createtoken", "alice", "--name", "bad", "--apps", "parties,erp", stdout=io.StringIO(),
                     stderr=io.StringIO())


def test_my_api_tokens_page_creates_shows_once_lists_and_revokes(personas):
    client = Client()
    client.force_login(personas.alice)
    page = client.get(reverse("accounts:tokens"))
    assert page.status_code == 200 and "No token yet." in page.content.decode()
    created = client.post(reverse("accounts:tokens"), {"name": "ERP", "read_only": "on", "apps": ["parties"]})
    assert created.status_code == 200
    raw = created.context["created"][1]
    assert raw.startswith("fid_") and raw in created.content.decode()
    token = ApiToken.objects.get(user=personas.alice)
    assert token.read_only and token.apps == ["parties"]
    listing = client.get(reverse("accounts:tokens")).content.decode()
    assert "ERP" in listing and raw not in listing and "read only" in listing
    invalid = client.post(reverse("accounts:tokens"), {"name": "", "apps": ["nope"]})
    assert invalid.status_code == 400
    assert ApiToken.objects.filter(user=personas.alice).count() == 1

    outsider = Client()
    outsider.force_login(personas.outsider)
    assert outsider.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert_error(ApiClient(raw).get("/api/parties"), 401, "unauthenticated")
