"""Personal API tokens: created once in clear, listed without it, revoked for good; and the CLI."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fidelia.accounts.models import ApiToken, User
from fidelia.accounts.services import api_token_create
from fidelia.core.testing import PASSWORD
from tests.api.conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db


def test_create_list_and_revoke_a_token(personas, api_as):
    client = api_as(personas.alice)
    created = client.post_json("/api/tokens", {"name": "ERP"})
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith("fid_")
    assert not ApiToken.objects.filter(digest=raw).exists()  # only the digest is stored

    fresh = ApiClient(raw)
    assert fresh.get("/api/me").json()["username"] == "alice"
    listed = fresh.get("/api/tokens").json()
    assert {t["name"] for t in listed} == {"tests", "ERP"}
    assert all("token" not in t for t in listed)

    assert client.delete(f"/api/tokens/{created.json()['id']}").status_code == 204
    assert_error(fresh.get("/api/me"), 401, "unauthenticated")
    assert client.get("/api/tokens").json()[0]["revoked_at"] is not None


def test_tokens_of_others_are_invisible(personas, api_as):
    theirs, _raw = api_token_create(user=personas.bob, name="bob's")
    client = api_as(personas.alice)
    assert theirs.pk not in {t["id"] for t in client.get("/api/tokens").json()}
    assert_error(client.delete(f"/api/tokens/{theirs.pk}"), 404, "not_found")


def test_token_name_is_required(personas, api_as):
    assert_error(api_as(personas.alice).post_json("/api/tokens", {"name": "  "}), 422, "invalid")


def test_createtoken_prints_a_working_token(personas):
    out = io.StringIO()
    call_command("createtoken", "alice", "--name", "script", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    assert ApiClient(raw).get("/api/me").json()["username"] == "alice"


def test_createtoken_unknown_user(personas):
    with pytest.raises(CommandError) as exc:
        call_command("createtoken", "nobody", "--name", "x")
    assert exc.value.returncode == 2


def test_createuser(personas):
    call_command("createuser", "carla", "--role", "sales_rep", "--team", "agence lyon part-dieu",
                 "--password", PASSWORD, stdout=io.StringIO())
    carla = User.objects.get(username="carla")
    assert carla.role == "sales_rep" and carla.team == personas.lyon and carla.check_password(PASSWORD)


@pytest.mark.parametrize("args, message", [
    (["dave", "--role", "sales_rep", "--team", "Marseille", "--password", PASSWORD], "Marseille"),
    (["dave", "--role", "sales_rep", "--password", PASSWORD], "--team"),
    (["alice", "--role", "admin", "--password", PASSWORD], "username:"),
    (["dave", "--role", "admin", "--password", "123"], "password:"),
    (["dave", "--role", "wizard", "--password", PASSWORD], "wizard"),
])
def test_createuser_errors_are_clear(personas, args, message):
    """Bad arguments are a usage error (exit code 2 from the CLI) naming what is wrong."""
    with pytest.raises(CommandError) as exc:
        call_command("createuser", *args, stdout=io.StringIO())
    assert message in str(exc.value)
    assert args[2] == "wizard" or exc.value.returncode == 2
    assert not User.objects.filter(username="dave").exists()
