"""Sign-in, sign-out and the language switch."""
from __future__ import annotations

from django.test import Client
from django.urls import reverse

from fidelia.core.testing import PASSWORD, Personas


def test_login_page_renders_without_static_vendor_files(client: Client, personas: Personas) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body and 'autocomplete="current-password"' in body
    assert "/static/vendor/htmx.min.js" in body


def test_login_then_lands_on_the_customers(client: Client, personas: Personas) -> None:
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("parties:list")
    assert client.get(reverse("accounts:login")).status_code == 302  # already signed in


def test_login_keeps_next(client: Client, personas: Personas) -> None:
    response = client.post(reverse("accounts:login") + "?next=/customers/new/",
                           {"username": "alice", "password": PASSWORD, "next": "/customers/new/"})
    assert response["Location"] == "/customers/new/"


def test_wrong_password_shows_an_error(client: Client, personas: Personas) -> None:
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("parties:list")).status_code == 302


def test_language_switch(client: Client, personas: Personas, settings) -> None:
    settings.LANGUAGE_CODE = "fr"  # the product's default
    client.force_login(personas.alice)
    assert '<html lang="fr">' in client.get(reverse("parties:list")).content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("parties:list")})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get(reverse("parties:list")).content.decode()


def test_navigation_shows_the_signed_in_user(client: Client, personas: Personas) -> None:
    client.force_login(personas.service)
    body = client.get(reverse("parties:list")).content.decode()
    assert "Sophie Service" in body
    assert reverse("accounts:logout") in body
    assert 'hx-headers=\'{"X-CSRFToken": "' in body


def test_analyst_lands_on_the_catalogue_not_on_a_404(client: Client, personas: Personas) -> None:
    response = client.post(reverse("accounts:login"), {"username": "analyst", "password": PASSWORD})
    assert response["Location"] == reverse("sales:product_list")
