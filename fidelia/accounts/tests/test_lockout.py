"""Sign-in throttling: a username + address pair is locked after N failures, for M minutes, with
answers that never tell whether the account exists."""
from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fidelia.core.testing import PASSWORD, Personas
from fidelia.privacy.models import AuditEntry

LOGIN = "/accounts/login/"


def attempt(client: Client, username: str, password: str = "Wrong-Password-1") -> tuple[int, list[str]]:
    """Status and messages of one sign-in attempt (the page minus its per-request CSRF token)."""
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    alert = re.search(r'<div class="alert alert--error" role="alert">(.*?)</div>', response.content.decode(), re.S)
    return response.status_code, re.findall(r"<p>(.*?)</p>", alert.group(1)) if alert else []


def page_without_csrf(response) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", body)


def test_known_and_unknown_users_get_identical_answers_then_the_same_lockout(personas: Personas) -> None:
    known, unknown = Client(), Client()
    for _ in range(4):
        assert attempt(known, "alice") == attempt(unknown, "nobody")
        status, errors = attempt(Client(), "alice-bis")
        assert status == 200 and errors
    fifth_known, fifth_unknown = attempt(known, "alice"), attempt(unknown, "nobody")
    assert fifth_known == fifth_unknown
    assert fifth_known[0] == 429
    assert fifth_known[1] == ["Too many failed sign-in attempts. Try again in 15 minutes."]
    # Locked: even the right password is refused, with the same page as for a non-existent account.
    right = known.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    ghost = unknown.post(reverse("accounts:login"), {"username": "nobody", "password": PASSWORD})
    assert right.status_code == ghost.status_code == 429
    assert page_without_csrf(right).replace("alice", "X") == page_without_csrf(ghost).replace("nobody", "X")
    assert "_auth_user_id" not in known.session
    locked = set(AuditEntry.objects.filter(action="locked_out").values_list("actor_username", flat=True))
    assert locked == {"alice", "nobody"}


def test_the_lock_lifts_after_the_period(personas: Personas, settings) -> None:
    client = Client()
    for _ in range(5):
        attempt(client, "alice")
    assert attempt(client, "alice", PASSWORD)[0] == 429
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=14), tick=False):
        assert attempt(client, "alice", PASSWORD)[0] == 429
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=15, seconds=5), tick=False):
        response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(personas.alice.pk)


def test_lockout_is_per_username_and_address_and_tunable(personas: Personas, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        attempt(Client(REMOTE_ADDR="203.0.113.7"), "alice")
    assert attempt(Client(REMOTE_ADDR="203.0.113.7"), "alice", PASSWORD)[0] == 429
    # Another address, or another username from the attacker's address, is not locked out.
    elsewhere = Client(REMOTE_ADDR="198.51.100.2")
    assert elsewhere.post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 302
    assert Client(REMOTE_ADDR="203.0.113.7").post(LOGIN, {"username": "bob", "password": PASSWORD}).status_code == 302


def test_a_successful_sign_in_resets_the_count(personas: Personas) -> None:
    client = Client()
    for _ in range(4):
        attempt(client, "alice")
    assert client.post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert attempt(client, "alice")[0] == 200
    assert client.post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 302


def test_the_session_key_changes_at_sign_in(personas: Personas) -> None:
    client = Client()
    client.get(reverse("accounts:login"))
    session = client.session
    session["anything"] = 1
    session.save()
    before = session.session_key
    assert client.post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 302
    assert client.session.session_key != before


def test_test_client_login_still_works_with_the_lockout_backend(client: Client, personas: Personas) -> None:
    assert client.login(username="alice", password=PASSWORD)
    assert not Client().login(username="alice", password="nope")
