"""Two-factor sign-in: administrators and the DPO enrol an authenticator app and give a code at
each sign-in; others may opt in. Until the code is given, only the sign-in pages answer."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from fidelia.core.testing import PASSWORD, Personas, confirmed_totp_device, make_token, totp_code
from fidelia.privacy.models import AuditEntry

LOGIN = "/accounts/login/"


def sign_in(client: Client, username: str, next_url: str = "") -> str:
    """Post the password step; return where the answer redirects."""
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(LOGIN, data)
    assert response.status_code == 302, response.content
    return response["Location"]


@pytest.mark.parametrize("who", ["admin", "dpo"])
def test_admin_and_dpo_without_a_device_must_enrol_before_anything_else(personas: Personas, who: str) -> None:
    client = Client()
    assert sign_in(client, who).startswith(reverse("accounts:otp_enrol"))
    for page in (reverse("parties:list"), reverse("sales:product_list"), reverse("accounts:tokens")):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_enrol"))
    page = client.get(reverse("accounts:otp_enrol"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and 'data-testid="otp-secret"' in body
    device = TOTPDevice.objects.get(user__username=who, confirmed=False)
    assert client.get(reverse("accounts:otp_enrol")).status_code == 200  # a reload keeps the same secret
    assert TOTPDevice.objects.filter(user__username=who).count() == 1

    wrong = client.post(reverse("accounts:otp_enrol"), {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert client.get(reverse("parties:list")).status_code == 302

    # The wrong code made the next try wait a second (throttling).
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=3), tick=False):
        done = client.post(reverse("accounts:otp_enrol"), {"code": totp_code(device), "next": "/customers/"})
        assert done.status_code == 302 and done["Location"] == "/customers/"
        assert client.get(reverse("parties:list")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="security", actor_username=who, fields=["otp_device"]).count() == 1


def test_with_a_device_a_valid_code_is_required_and_wrong_codes_are_throttled_and_audited(personas: Personas) -> None:
    device = confirmed_totp_device(personas.admin)
    client = Client()
    target = sign_in(client, "admin", next_url="/sales/products/")
    assert target.startswith(reverse("accounts:otp_verify"))
    assert client.get("/customers/")["Location"].startswith(reverse("accounts:otp_verify"))
    fragment = client.get("/customers/", headers={"HX-Request": "true"})
    assert fragment.status_code == 204 and fragment["HX-Redirect"].startswith(reverse("accounts:otp_verify"))
    # Enrolling a new authenticator is not a way around the code.
    assert client.get(reverse("accounts:otp_enrol"))["Location"] == reverse("accounts:security")
    assert client.get(reverse("accounts:security"))["Location"].startswith(reverse("accounts:otp_verify"))

    good = totp_code(device)
    wrong = client.post(reverse("accounts:otp_verify"), {"code": f"{(int(good) + 1) % 10**6:06d}", "next": "/sales/products/"})
    assert wrong.status_code == 400
    assert "not valid" in wrong.content.decode()
    # Right after a failure, even the right code must wait (throttling), and says so.
    throttled = client.post(reverse("accounts:otp_verify"), {"code": good, "next": "/sales/products/"})
    assert throttled.status_code == 400 and "wait" in throttled.content.decode()
    assert client.get("/customers/").status_code == 302
    failed = AuditEntry.objects.filter(action="login_failed", actor_username="admin")
    assert failed.count() == 2 and all(entry.fields == ["otp"] for entry in failed)

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=3), tick=False):
        key_before = client.session.session_key
        ok = client.post(reverse("accounts:otp_verify"), {"code": totp_code(device), "next": "/sales/products/"})
        assert ok.status_code == 302 and ok["Location"] == "/sales/products/"
        assert client.session.session_key != key_before
        assert client.get("/customers/").status_code == 200


def test_a_code_cannot_be_replayed_in_another_session(personas: Personas) -> None:
    device = confirmed_totp_device(personas.dpo)
    first, second = Client(), Client()
    sign_in(first, "dpo")
    sign_in(second, "dpo")
    code = totp_code(device)
    assert first.post(reverse("accounts:otp_verify"), {"code": code}).status_code == 302
    assert second.post(reverse("accounts:otp_verify"), {"code": code}).status_code == 400


def test_malformed_codes_are_refused_without_an_error_page(personas: Personas) -> None:
    confirmed_totp_device(personas.admin)
    client = Client()
    sign_in(client, "admin")
    for code in ("", "12345", "abcdef", "1234567", "１２３４５６", "\x00" * 6):
        response = client.post(reverse("accounts:otp_verify"), {"code": code})
        assert response.status_code == 400


def test_sign_out_language_and_static_stay_reachable_before_the_code(personas: Personas) -> None:
    confirmed_totp_device(personas.admin)
    client = Client()
    sign_in(client, "admin")
    assert client.post(reverse("set_language"), {"language": "fr", "next": "/"}).status_code == 302
    assert client.get("/static/css/app.css").status_code != 302  # served (or 404 without DEBUG), never the code page
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_next_cannot_send_the_user_off_site(personas: Personas) -> None:
    device = confirmed_totp_device(personas.admin)
    client = Client()
    sign_in(client, "admin")
    response = client.post(reverse("accounts:otp_verify"), {"code": totp_code(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("parties:list")


def test_other_roles_sign_in_without_a_code_and_may_opt_in(personas: Personas) -> None:
    client = Client()
    assert sign_in(client, "alice") == reverse("parties:list")
    assert client.get(reverse("accounts:security")).status_code == 200
    assert client.get(reverse("accounts:otp_enrol")).status_code == 200
    device = TOTPDevice.objects.get(user=personas.alice)
    assert client.post(reverse("accounts:otp_enrol"), {"code": totp_code(device)}).status_code == 302
    client.post(reverse("accounts:logout"))
    again = Client()
    assert sign_in(again, "alice").startswith(reverse("accounts:otp_verify"))


def test_the_api_with_a_token_is_not_asked_for_a_code_but_an_unverified_session_is_refused(personas: Personas) -> None:
    confirmed_totp_device(personas.admin)
    token = make_token(personas.admin)
    assert Client(headers={"Authorization": f"Bearer {token}"}).get("/api/me").status_code == 200
    client = Client()
    sign_in(client, "admin")
    assert client.get("/api/me").status_code == 401


def test_test_logins_of_admin_and_dpo_are_verified(client: Client, personas: Personas) -> None:
    client.force_login(personas.dpo)
    assert client.get(reverse("parties:list")).status_code == 200
    other = Client()
    assert other.login(username="admin", password=PASSWORD)
    assert other.get(reverse("parties:list")).status_code == 200
