"""Creation with the duplicate warning, field-level validation errors, and stale edits."""
from __future__ import annotations

from django.test import Client
from django.urls import reverse

from fidelia.core.testing import Personas
from fidelia.parties.models import Party
from fidelia.parties.tests import factories as f

PERSON = {"kind": "person", "stage": "prospect", "first_name": "Jeanne", "last_name": "Moreau",
          "email": "jeanne.moreau@example.org", "phone": "06 12 34 56 78",
          "line1": "3 place Bellecour", "postcode": "69002", "city": "Lyon", "tags": "VIP, Épargne"}


def test_create_person_redirects_to_the_file(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    response = client.post(reverse("parties:create"), PERSON)
    party = Party.objects.get(last_name="Moreau")
    assert response.status_code == 302
    assert response["Location"] == reverse("parties:detail", args=[party.pk])
    assert party.owner == personas.alice
    assert party.phone == "+33612345678"
    assert party.city == "Lyon"
    assert sorted(party.tags.values_list("name", flat=True)) == ["VIP", "Épargne"]


def test_create_organisation_with_a_bad_siren_shows_the_field_error(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    response = client.post(reverse("parties:create"), {"kind": "organisation", "stage": "prospect",
                                                       "legal_name": "Acme", "siren": "123456789"})
    assert response.status_code == 200
    assert "siren" in response.context["form"].errors
    assert not Party.objects.filter(legal_name="Acme").exists()


def test_bad_phone_and_postcode_are_field_errors(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    response = client.post(reverse("parties:create"), {**PERSON, "phone": "12", "postcode": "6900"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "phone" in errors and "postcode" in errors
    assert not Party.objects.exists()


def test_missing_last_name_is_a_field_error(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    response = client.post(reverse("parties:create"), {**PERSON, "last_name": ""})
    assert response.status_code == 200
    assert "last_name" in response.context["form"].errors


def test_duplicate_warning_then_create_anyway(client: Client, personas: Personas) -> None:
    existing = f.person(owner=personas.alice, email="jeanne.moreau@example.org")
    client.force_login(personas.alice)

    warned = client.post(reverse("parties:create"), PERSON)
    assert warned.status_code == 200
    body = warned.content.decode()
    assert reverse("parties:detail", args=[existing.pk]) in body
    assert 'name="allow_duplicate"' in body
    assert Party.objects.count() == 1

    created = client.post(reverse("parties:create"), {**PERSON, "allow_duplicate": "on"})
    assert created.status_code == 302
    assert Party.objects.count() == 2


def test_duplicate_outside_the_portfolio_is_not_named(client: Client, personas: Personas) -> None:
    other = f.person(owner=personas.outsider, email="jeanne.moreau@example.org")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(personas.alice)
    body = client.post(reverse("parties:create"), PERSON).content.decode()
    assert other.display_name not in body
    assert "outside your portfolio" in body


def test_duplicates_probe_fragment(client: Client, personas: Personas) -> None:
    existing = f.person(owner=personas.alice, phone="0611223344")
    client.force_login(personas.alice)
    response = client.get(reverse("parties:duplicates"), {"kind": "person", "phone": "06 11 22 33 44",
                                                         "email": "not an email"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert existing.display_name in response.content.decode()
    empty = client.get(reverse("parties:duplicates"), {"kind": "person", "birth_date": "garbage"})
    assert empty.status_code == 200
    assert empty.content.decode().strip() == ""


def test_creation_needs_the_right(client: Client, personas: Personas) -> None:
    client.force_login(personas.marketing)
    assert client.get(reverse("parties:create")).status_code == 404
    assert client.post(reverse("parties:create"), PERSON).status_code == 404


def test_owner_choice_only_for_those_who_may_assign(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    assert "owner" not in client.get(reverse("parties:create")).context["form"].fields
    client.force_login(personas.manager)
    form = client.get(reverse("parties:create")).context["form"]
    assert set(form.fields["owner"].queryset) == {personas.manager, personas.alice, personas.bob}


def test_manager_assigns_an_owner(client: Client, personas: Personas) -> None:
    client.force_login(personas.manager)
    response = client.post(reverse("parties:create"), {**PERSON, "owner": personas.bob.pk})
    assert response.status_code == 302
    assert Party.objects.get().owner == personas.bob


def _edit_data(party: Party, **changes: str) -> dict:
    data = {"stage": party.stage, "civility": party.civility, "first_name": party.first_name,
            "last_name": party.last_name, "version": party.version, "tags": ""}
    data.update(changes)
    return data


def test_edit_saves_and_bumps_the_version(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    response = client.post(reverse("parties:edit", args=[party.pk]), _edit_data(party, job_title="Notaire"))
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.job_title == "Notaire"
    assert party.version == 2


def test_stale_edit_is_refused_and_nothing_is_written(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    stale = _edit_data(party, job_title="Notaire")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(personas.alice)
    client.post(reverse("parties:edit", args=[party.pk]), _edit_data(party, job_title="Avocat"))

    response = client.post(reverse("parties:edit", args=[party.pk]), stale)
    assert response.status_code == 200
    assert "changed by someone else" in " ".join(response.context["form"].non_field_errors())
    party.refresh_from_db()
    assert party.job_title == "Avocat"


def test_edit_with_bad_siren_keeps_the_old_value(client: Client, personas: Personas) -> None:
    org = f.organisation(owner=personas.alice)
    client.force_login(personas.alice)
    response = client.post(reverse("parties:edit", args=[org.pk]),
                           {"stage": "customer", "legal_name": org.legal_name, "siren": "111111111",
                            "version": org.version})
    assert response.status_code == 200
    assert "siren" in response.context["form"].errors
    org.refresh_from_db()
    assert org.siren == "732829320"


def test_add_contact_from_an_organisation_preselects_it(client: Client, personas: Personas) -> None:
    org = f.organisation(owner=personas.alice)
    client.force_login(personas.alice)
    assert reverse("parties:create") + f"?kind=person&amp;organisation={org.pk}" in client.get(
        reverse("parties:detail", args=[org.pk])).content.decode()
    form = client.get(reverse("parties:create"), {"kind": "person", "organisation": org.pk}).context["form"]
    assert str(form["organisation"].value()) == str(org.pk)
    response = client.post(reverse("parties:create"), {**PERSON, "organisation": org.pk})
    assert response.status_code == 302
    assert Party.objects.get(last_name="Moreau").organisation == org
