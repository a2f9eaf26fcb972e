"""The 360 page: every tab renders from a fixed number of queries; its HTMX sections write through services."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from fidelia.core.testing import Personas
from fidelia.interactions.services import interaction_log
from fidelia.parties import services
from fidelia.parties.models import Party
from fidelia.parties.tests import factories as f
from fidelia.sales import services as sales

ROWS = 32


@pytest.fixture
def full_file(personas: Personas) -> Party:
    """A customer with 30+ rows of everything the page shows, so that an N+1 query would show."""
    alice, admin = personas.alice, personas.admin
    party = f.person(owner=alice, tags=["VIP", "Épargne", "Crédit"])
    family = sales.family_create(actor=admin, name="Épargne")
    product = sales.product_create(actor=admin, code="LIVA", name="Livret A", family=family, kind="strategic",
                                   price=Decimal("10.00"), margin_rate=Decimal("0.2"))
    today = dt.date.today()
    for i in range(ROWS):
        services.email_add(party=party, actor=alice, address=f"mail{i}@example.org")
        services.phone_add(party=party, actor=alice, number=f"0611{i:06d}")
        services.address_add(party=party, actor=alice, address=services.AddressInput(
            line1=f"{i} rue de la République", postcode="69002", city="Lyon"))
        member = services.household_member_add(party=party, actor=alice, role="child", first_name=f"Enfant{i}",
                                               birth_date=today - dt.timedelta(days=365 * (i % 18) + 10))
        services.life_event_add(party=party, actor=alice, kind="birth", date=today, member=member)
        services.consent_record(party=party, actor=alice, channel=["email", "sms", "phone", "post"][i % 4],
                                purpose=["newsletter", "prospecting"][i % 2], granted=bool(i % 3), wording="Oui")
        interaction_log(party=party, actor=alice, channel="phone", direction="outbound", subject=f"Appel {i}")
        sales.contract_create(party=party, actor=alice, product=product, start_date=today, annual_amount=Decimal("120"))
        sales.transaction_record(party=party, actor=alice, product=product, date=today, amount=Decimal("1234.50"),
                                 channel="branch")
    return party


def test_360_page_query_count_is_pinned(client: Client, personas: Personas, full_file: Party,
                                        django_assert_max_num_queries) -> None:
    client.force_login(personas.alice)
    client.get(reverse("parties:list"))  # warm the session
    # session, user, team, access check, party + 10 prefetches, timeline, transactions, consents, write check,
    # the two-factor device, and the sensitive-read audit row (savepoint, PostgreSQL's chain lock, chain
    # head, insert, release)
    with django_assert_max_num_queries(26):
        response = client.get(reverse("parties:detail", args=[full_file.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Appel 31" in body and "Enfant31" in body and "Livret A" in body


def test_organisation_file_lists_contacts_and_subsidiaries(client: Client, personas: Personas,
                                                           django_assert_max_num_queries) -> None:
    group = f.organisation(owner=personas.alice, legal_name="Groupe Rhône")
    org = f.organisation(owner=personas.alice, legal_name="Boulangeries Rhône", parent=group)
    for i in range(ROWS):
        f.person(owner=personas.alice, organisation=org, job_title=f"Poste {i}")
        f.organisation(owner=personas.alice, legal_name=f"Filiale {i}", parent=org)
    client.force_login(personas.alice)
    client.get(reverse("parties:list"))
    # as above, with the sensitive-read audit row (the transactions tab) and the two-factor device
    with django_assert_max_num_queries(26):
        body = client.get(reverse("parties:detail", args=[org.pk])).content.decode()
    assert "Groupe Rhône" in body and "Filiale 31" in body and "Poste 31" in body
    assert "732829320" in body


def test_phones_and_money_are_formatted_for_the_locale(client: Client, personas: Personas,
                                                       full_file: Party) -> None:
    client.force_login(personas.alice)
    body = client.get(reverse("parties:detail", args=[full_file.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "06 11 00 00 31" in body
    assert "1\xa0234,50\xa0€" in body
    body = client.get(reverse("parties:detail", args=[full_file.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "€1,234.50" in body


def test_add_email_returns_the_section(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    response = client.post(reverse("parties:email_add", args=[party.pk]),
                           {"email-address": "NEW@Example.org", "email-kind": "work"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.templates[0].name == "parties/partials/contact_points.html"
    assert party.emails.filter(address="NEW@example.org").exists()


def test_bad_phone_is_a_field_error_and_nothing_is_written(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    response = client.post(reverse("parties:phone_add", args=[party.pk]),
                           {"phone-number": "0000", "phone-kind": "mobile"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "number" in response.context["phone_form"].errors
    assert party.phones.count() == 1


def test_plain_post_redirects_to_the_tab(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    response = client.post(reverse("parties:address_add", args=[party.pk]),
                           {"address-line1": "2 quai Saint-Antoine", "address-postcode": "69002",
                            "address-city": "Lyon", "address-country": "FR", "address-kind": "work"})
    assert response.status_code == 302
    assert response["Location"].endswith("#contact")
    assert party.addresses.count() == 2


def test_remove_contact_point_only_from_this_party(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    other = f.person(owner=personas.outsider)
    client.force_login(personas.alice)
    other_email = other.emails.get()
    url = reverse("parties:contact_point_remove", args=[party.pk, "email", other_email.pk])
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 404
    assert other.emails.exists()
    mine = party.emails.get()
    url = reverse("parties:contact_point_remove", args=[party.pk, "email", mine.pk])
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 200
    assert not party.emails.exists()
    assert client.post(reverse("parties:contact_point_remove", args=[party.pk, "fax", 1])).status_code == 404


def test_household_member_add_and_remove(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    response = client.post(reverse("parties:member_add", args=[party.pk]),
                           {"member-role": "child", "member-first_name": "Léa", "member-birth_date": "2010-05-04"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    member = party.household_members.get()
    assert "Léa" in response.content.decode()
    response = client.post(reverse("parties:member_remove", args=[party.pk, member.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not party.household_members.exists()


def test_household_member_with_far_future_birth_is_a_field_error(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    response = client.post(reverse("parties:member_add", args=[party.pk]),
                           {"member-role": "child", "member-first_name": "Léa", "member-birth_date": "2099-01-01"},
                           HTTP_HX_REQUEST="true")
    assert "birth_date" in response.context["member_form"].errors
    assert not party.household_members.exists()


def test_life_event_with_a_household_member(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    member = services.household_member_add(party=party, actor=personas.alice, role="child", first_name="Tom")
    client.force_login(personas.alice)
    response = client.post(reverse("parties:life_event_add", args=[party.pk]),
                           {"event-kind": "higher_education", "event-date": "2026-09-01", "event-member": member.pk,
                            "event-details": "Licence"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert party.life_events.get().member == member


def test_consent_is_recorded_with_its_history(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    url = reverse("parties:consent_add", args=[party.pk])
    for granted in ("1", "0"):
        response = client.post(url, {"consent-channel": "email", "consent-purpose": "newsletter",
                                     "consent-granted": granted, "consent-source": "phone",
                                     "consent-wording": "Souhaitez-vous recevoir notre lettre ?"},
                               HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    assert list(party.consents.values_list("granted", flat=True)) == [False, True]
    assert response.content.decode().count("Souhaitez-vous recevoir notre lettre") == 2


def test_garbage_section_input_is_never_a_500(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    for name in ("email_add", "phone_add", "address_add", "member_add", "life_event_add", "consent_add"):
        response = client.post(reverse(f"parties:{name}", args=[party.pk]), {"x": "y"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, name


def test_plain_post_with_errors_gets_the_page_with_the_form(client: Client, personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    response = client.post(reverse("parties:phone_add", args=[party.pk]),
                           {"phone-number": "0000", "phone-kind": "mobile"})
    assert response.status_code == 200
    assert response.templates[0].name == "parties/detail.html"
    assert 'data-open-tab="contact"' in response.content.decode()
    assert "number" in response.context["phone_form"].errors
