"""The organisation picker scales: forms render only the chosen organisation, search brings the rest."""
import re

from django.urls import reverse

from fidelia.parties.models import Party
from fidelia.parties.tests import factories

SIRENS = ["732829320", "552032534", "542051180", "443061841", "572015246", "775670417"]


def test_forms_render_only_the_chosen_organisation(personas, client):
    orgs = [factories.organisation(owner=personas.alice, siren=s, legal_name=f"Société {i}") for i, s in enumerate(SIRENS)]
    contact = factories.person(owner=personas.alice, organisation=orgs[2])
    client.force_login(personas.alice)
    create = client.get(reverse("parties:create") + "?kind=person").content.decode()
    select = re.search(r'<select name="organisation".*?</select>', create, re.S).group(0)
    assert select.count("<option") == 1  # only "—": the others come from the search
    edit = client.get(reverse("parties:edit", args=[contact.pk])).content.decode()
    select = re.search(r'<select name="organisation".*?</select>', edit, re.S).group(0)
    assert select.count("<option") == 2 and "Société 2" in select and "selected" in select


def test_search_offers_only_organisations_the_user_may_read(personas, client):
    mine = factories.organisation(owner=personas.alice, siren=SIRENS[0], legal_name="Boulangerie Martin")
    factories.organisation(owner=personas.outsider, siren=SIRENS[1], legal_name="Boulangerie Dupain")
    factories.person(owner=personas.alice, last_name="Boulangerie")  # a person, not an organisation
    client.force_login(personas.alice)
    options = client.get(reverse("parties:organisation_options"), {"q": "boulangerie"}).content.decode()
    assert f'value="{mine.pk}" selected' in options and "Dupain" not in options
    assert options.count('<option value="') == 2
    by_siren = client.get(reverse("parties:organisation_options"), {"q": SIRENS[0]}).content.decode()
    assert "Boulangerie Martin" in by_siren
    client.force_login(personas.analyst)
    assert client.get(reverse("parties:organisation_options"), {"q": "boulangerie"}).status_code == 404


def test_an_organisation_outside_the_portfolio_is_refused(personas, client):
    theirs = factories.organisation(owner=personas.outsider, siren=SIRENS[1], legal_name="Ailleurs SA")
    client.force_login(personas.alice)
    response = client.post(reverse("parties:create") + "?kind=person", {
        "kind": "person", "stage": "prospect", "last_name": "Salarié", "organisation": theirs.pk})
    assert response.status_code == 200 and "organisation" in response.context["form"].errors
    assert not Party.objects.filter(last_name="Salarié").exists()


def test_ids_in_options_and_links_are_never_formatted_as_numbers(personas, client):
    # Numbers are shown with thousand separators ("12,345", "12 345"); ids in values and URLs must not be.
    org = factories.organisation(owner=personas.alice, siren=SIRENS[0], legal_name="Boulangerie Martin")
    Party.objects.filter(pk=org.pk).update(id=12345)
    client.force_login(personas.alice)
    for language in ("en", "fr"):
        client.cookies["django_language"] = language
        options = client.get(reverse("parties:organisation_options"), {"q": "boulangerie"}).content.decode()
        assert 'value="12345" selected' in options
        page = client.get(reverse("parties:detail", args=[12345])).content.decode()
        assert "organisation=12345" in page and "party=12345" in page
