"""The language a customer is written to in: chosen in the forms, shown on the file, in the
customer list export and the subject access export; French unless said otherwise."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fidelia.bi.lists import list_export
from fidelia.core.errors import ValidationFailed
from fidelia.core.testing import Personas
from fidelia.parties import services
from fidelia.parties.models import Party
from fidelia.parties.tests import factories as f
from fidelia.privacy.services import subject_export

pytestmark = pytest.mark.django_db

PERSON = {"kind": "person", "stage": "prospect", "first_name": "John", "last_name": "Smith", "tags": ""}


def test_a_person_and_an_organisation_are_created_in_the_language_chosen(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    form = client.get(reverse("parties:create")).content.decode()
    assert 'name="language"' in form and '<option value="fr" selected>' in form   # French by default
    assert client.post(reverse("parties:create"), {**PERSON, "language": "en"}).status_code == 302
    assert Party.objects.get(last_name="Smith").language == "en"
    client.post(reverse("parties:create"), {"kind": "organisation", "stage": "prospect", "legal_name": "Acme Ltd",
                                            "language": "en"})
    assert Party.objects.get(legal_name="Acme Ltd").language == "en"
    client.post(reverse("parties:create"), {**PERSON, "last_name": "Dupont"})   # not sent: French
    assert Party.objects.get(last_name="Dupont").language == "fr"


def test_an_unknown_language_is_a_field_error_and_nothing_is_written(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    response = client.post(reverse("parties:create"), {**PERSON, "language": "de"})
    assert response.status_code == 200 and "language" in response.context["form"].errors
    assert not Party.objects.exists()
    with pytest.raises(ValidationFailed) as refused:
        services.party_create(actor=personas.alice, kind="person", last_name="Klein", language="de")
    assert "language" in refused.value.fields


def test_the_edit_form_changes_the_language_and_the_file_shows_it(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    page = client.get(reverse("parties:edit", args=[party.pk])).content.decode()
    assert '<option value="fr" selected>' in page
    data = {"stage": party.stage, "civility": party.civility, "first_name": party.first_name,
            "last_name": party.last_name, "version": party.version, "language": "en", "tags": ""}
    assert client.post(reverse("parties:edit", args=[party.pk]), data).status_code == 302
    party.refresh_from_db()
    assert party.language == "en"
    html = client.get(reverse("parties:detail", args=[party.pk])).content.decode()
    assert '<dd data-testid="party-language">English</dd>' in html


def test_an_update_without_the_language_keeps_it(personas: Personas) -> None:
    party = f.person(owner=personas.alice, language="en")
    services.party_update(party=party, actor=personas.alice, version=party.version, job_title="Pilote")
    party.refresh_from_db()
    assert party.language == "en"


def test_the_customer_list_export_and_the_subject_export_carry_the_language(personas: Personas) -> None:
    party = f.person(owner=personas.alice, language="en")
    export = list_export(user=personas.alice, name="parties", filters={})
    names = [c.name for c in export.columns]
    assert "language" in names
    row = next(r for r in export.rows() if r[names.index("id")] == party.pk)
    assert row[names.index("language")] == "en"
    identity = subject_export(party_id=party.pk)
    assert '"language": "en"' in str(identity).replace("'", '"')
