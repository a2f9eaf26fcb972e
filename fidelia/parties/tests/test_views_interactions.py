"""Logging an interaction from the 360 page: the timeline comes back without a page reload."""
from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fidelia.core.testing import Personas
from fidelia.interactions.models import Interaction
from fidelia.interactions.services import interaction_log
from fidelia.parties.tests import factories as f

DATA = {"channel": "visit", "direction": "inbound", "subject": "Projet immobilier", "outcome": "interested",
        "report": "Souhaite un prêt relais."}


def test_htmx_log_returns_the_refreshed_timeline(client: Client, personas: Personas,
                                                 django_assert_max_num_queries) -> None:
    party = f.person(owner=personas.alice)
    for i in range(30):
        interaction_log(party=party, actor=personas.bob if i % 2 else personas.alice, channel="phone",
                        direction="outbound", subject=f"Relance {i}",
                        occurred_at=timezone.now() - timezone.timedelta(days=i + 1))
    client.force_login(personas.alice)
    client.get(reverse("parties:list"))
    # + the change's audit row (4 queries, 5 on PostgreSQL) and the last-contact date (3)
    with django_assert_max_num_queries(18):
        response = client.post(reverse("interactions:log", args=[party.pk]), DATA, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.templates[0].name == "interactions/partials/timeline.html"
    body = response.content.decode()
    assert "<html" not in body
    assert body.index("Projet immobilier") < body.index("Relance 0")
    row = Interaction.objects.get(subject="Projet immobilier")
    assert row.author == personas.alice and row.report == "Souhaite un prêt relais."


def test_log_with_a_date(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    client.post(reverse("interactions:log", args=[party.pk]), {**DATA, "occurred_at": "2026-01-15T10:30"},
                HTTP_HX_REQUEST="true")
    occurred = timezone.localtime(Interaction.objects.get().occurred_at)
    assert (occurred.year, occurred.month, occurred.day, occurred.hour, occurred.minute) == (2026, 1, 15, 10, 30)


def test_missing_subject_and_future_date_are_field_errors(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    response = client.post(reverse("interactions:log", args=[party.pk]),
                           {**DATA, "subject": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "subject" in response.context["interaction_form"].errors
    future = (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("interactions:log", args=[party.pk]),
                           {**DATA, "occurred_at": future}, HTTP_HX_REQUEST="true")
    assert "occurred_at" in response.context["interaction_form"].errors
    assert not Interaction.objects.exists()


def test_plain_post_redirects_to_the_actions_tab(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.service)
    response = client.post(reverse("interactions:log", args=[party.pk]), DATA)
    assert response.status_code == 302
    assert response["Location"] == reverse("parties:detail", args=[party.pk]) + "#actions"
    assert Interaction.objects.get().author == personas.service


def test_get_is_not_allowed(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    assert client.get(reverse("interactions:log", args=[party.pk])).status_code == 405


def test_plain_post_with_errors_gets_the_page_with_the_form(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    response = client.post(reverse("interactions:log", args=[party.pk]), {**DATA, "subject": " "})
    assert response.status_code == 200
    assert response.templates[0].name == "parties/detail.html"
    body = response.content.decode()
    assert 'data-open-tab="actions"' in body and "Souhaite un prêt relais." in body
