"""Who reaches which customer page: allowed, or 404 so that existence does not leak."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fidelia.core.testing import Personas
from fidelia.interactions.models import Interaction
from fidelia.parties.tests import factories as f

# persona -> (list, detail, edit, log an interaction) on a customer of Alice (Lyon).
MATRIX = {
    "admin": (200, 200, 200, 200),
    "dpo": (200, 200, 404, 404),
    "manager": (200, 200, 200, 200),
    "alice": (200, 200, 200, 200),
    "bob": (200, 404, 404, 404),        # a colleague: the Lyon team does not share portfolios
    "outsider": (200, 404, 404, 404),   # a rep of the Paris agency
    "marketing": (200, 200, 404, 404),
    "service": (200, 200, 404, 200),    # the call centre reads and logs, never edits
    "analyst": (404, 404, 404, 404),    # aggregates only
}


@pytest.mark.parametrize("persona", MATRIX)
def test_page_access_matrix(client: Client, personas: Personas, persona: str) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.by_role()[persona])
    expected_list, expected_detail, expected_edit, expected_log = MATRIX[persona]

    assert client.get(reverse("parties:list")).status_code == expected_list
    assert client.get(reverse("parties:detail", args=[party.pk])).status_code == expected_detail
    assert client.get(reverse("parties:edit", args=[party.pk])).status_code == expected_edit
    response = client.post(reverse("interactions:log", args=[party.pk]),
                           {"channel": "phone", "direction": "outbound", "subject": "Call"}, HTTP_HX_REQUEST="true")
    assert response.status_code == expected_log
    assert Interaction.objects.filter(party=party).exists() == (expected_log == 200)


def test_list_shows_only_the_readable_portfolio(client: Client, personas: Personas) -> None:
    mine = f.person(owner=personas.alice, last_name="Alicecustomer")
    theirs = f.person(owner=personas.outsider, last_name="Pariscustomer")
    client.force_login(personas.outsider)
    body = client.get(reverse("parties:list")).content.decode()
    assert theirs.display_name in body
    assert mine.display_name not in body


def test_section_writes_refused_to_readers(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.service)
    url = reverse("parties:email_add", args=[party.pk])
    assert client.post(url, {"email-address": "x@example.org", "email-kind": "home"}).status_code == 404
    assert not party.emails.filter(address="x@example.org").exists()


def test_anonymous_users_are_sent_to_sign_in(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    for url in (reverse("parties:list"), reverse("parties:detail", args=[party.pk]),
                reverse("parties:search") + "?q=ab"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_unknown_customer_is_404(client: Client, personas: Personas) -> None:
    client.force_login(personas.admin)
    assert client.get(reverse("parties:detail", args=[999999])).status_code == 404
