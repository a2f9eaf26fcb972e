"""Production settings, security headers and session timeouts."""
import os
import secrets
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from fidelia.accounts.middleware import AUTH_AT, LAST_SEEN
from fidelia.parties.tests import factories


def deploy_check(**env: str) -> subprocess.CompletedProcess:
    # a clean environment: nothing of the test run (browser tests set DJANGO_ALLOW_ASYNC_UNSAFE)
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("FIDELIA_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR, env={**base, **env}, capture_output=True, text=True, timeout=120,
    )


def test_production_settings_pass_the_deploy_check_with_zero_warnings():
    result = deploy_check(FIDELIA_PRODUCTION="1", FIDELIA_SECRET_KEY=secrets.token_urlsafe(50),
                          FIDELIA_SUPPRESSION_SALT=secrets.token_urlsafe(32), FIDELIA_BI_SALT=secrets.token_urlsafe(32),
                          FIDELIA_ALLOWED_HOSTS="crm.example.fr")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_is_a_real_gate():
    result = deploy_check()  # development defaults: HTTP cookies, no HSTS, weak key
    assert result.returncode != 0 and "security.W004" in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_or_with_debug():
    assert "FIDELIA_SECRET_KEY" in deploy_check(FIDELIA_PRODUCTION="1").stderr
    assert "FIDELIA_SUPPRESSION_SALT" in deploy_check(FIDELIA_PRODUCTION="1", FIDELIA_SECRET_KEY="x" * 60).stderr
    assert "FIDELIA_BI_SALT" in deploy_check(FIDELIA_PRODUCTION="1", FIDELIA_SECRET_KEY="x" * 60,
                                             FIDELIA_SUPPRESSION_SALT="y" * 32).stderr
    assert "FIDELIA_DEBUG" in deploy_check(FIDELIA_PRODUCTION="1", FIDELIA_DEBUG="1",
                                           FIDELIA_SECRET_KEY="x" * 60).stderr


def test_customer_pages_and_api_are_never_cached_and_carry_a_csp(personas, client, api_as):
    party = factories.person(owner=personas.alice)
    client.force_login(personas.alice)
    page = client.get(reverse("parties:detail", args=[party.pk]))
    assert "no-store" in page["Cache-Control"] and "script-src 'self'" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    api = api_as(personas.alice).get(f"/api/parties/{party.pk}")
    assert api.status_code == 200 and "no-store" in api["Cache-Control"]


def _age_session(client, **seconds_ago: float) -> None:
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[{"auth_at": AUTH_AT, "last_seen": LAST_SEEN}[key]] = now - ago
    session.save()


@pytest.mark.parametrize("auth_at, last_seen, signed_out", [
    (60, 30, False),                       # active a moment ago
    (3600, 31 * 60, True),                 # idle for longer than 30 minutes
    (11 * 3600, 10, True),                 # signed in more than 10 hours ago, however active
])
def test_sessions_end_when_idle_or_too_old(personas, client, auth_at, last_seen, signed_out):
    client.force_login(personas.alice)
    client.get(reverse("parties:list"))
    _age_session(client, auth_at=auth_at, last_seen=last_seen)
    response = client.get(reverse("parties:list"))
    assert (response.status_code == 302 and reverse("accounts:login") in response["Location"]) is signed_out
    if signed_out:  # and the session cannot be reused
        assert client.get(reverse("parties:list")).status_code == 302


def test_disabling_an_account_ends_its_session_at_once(personas, client):
    client.force_login(personas.alice)
    assert client.get(reverse("parties:list")).status_code == 200
    personas.alice.is_active = False
    personas.alice.save()
    assert client.get(reverse("parties:list")).status_code == 302


def test_signing_in_rotates_the_session_key(personas, client):
    from fidelia.core.testing import PASSWORD

    client.get(reverse("accounts:login"))
    client.cookies["sessionid"] = "attacker-chosen-session"
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert client.cookies["sessionid"].value != "attacker-chosen-session"
