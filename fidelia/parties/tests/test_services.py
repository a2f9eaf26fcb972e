"""The customer file's write rules: validation, duplicates, ownership, concurrency, history."""
import datetime as dt
import threading

import pytest
from django.db import connection

from fidelia.core.errors import StaleVersion, ValidationFailed
from fidelia.core.models import ActivityEvent
from fidelia.parties import services
from fidelia.parties.fields import FieldForbidden
from fidelia.parties.models import ConsentRecord, Email, Party, Phone
from fidelia.parties.search import build_search_text
from fidelia.parties.services import AddressInput, PossibleDuplicate
from fidelia.parties.tests import factories

LYON = AddressInput(line1="12 rue de la République", postcode="69002", city="Lyon")


def create_elodie(actor, **extra):
    return services.party_create(
        actor=actor, kind="person", first_name="Élodie", last_name="Le Goff", birth_date=dt.date(1984, 3, 9),
        email="Elodie.LeGoff@Exemple.fr", phone="06 12 34 56 78", address=LYON, tags=["VIP"], **extra,
    )


def test_create_person_normalises_and_mirrors_primary_contact_points(personas):
    party = create_elodie(personas.alice)
    assert party.display_name == "Élodie LE GOFF"
    assert (party.email, party.phone, party.postcode, party.city) == ("Elodie.LeGoff@exemple.fr", "+33612345678", "69002", "Lyon")
    assert party.owner == personas.alice and party.team == personas.lyon
    assert list(party.tags.values_list("name", flat=True)) == ["VIP"]
    assert "0612345678" in party.search_text and "elodie le goff" in party.search_text
    assert ActivityEvent.objects.filter(party_id=party.pk, action="party.created", actor=personas.alice).count() == 1


def test_a_rep_cannot_create_into_someone_elses_portfolio(personas):
    # naming an owner is refused outright (never silently replaced), and nothing is created
    with pytest.raises(FieldForbidden) as exc:
        services.party_create(actor=personas.alice, kind="person", last_name="Martin", owner=personas.bob)
    assert exc.value.fields == {"owner": [exc.value.fields["owner"][0]]} and exc.value.status == 403
    assert not Party.objects.filter(last_name="Martin").exists()
    party = services.party_create(actor=personas.alice, kind="person", last_name="Martin")
    assert party.owner == personas.alice and party.team == personas.lyon


def test_manager_assigns_only_within_the_team(personas):
    party = services.party_create(actor=personas.manager, kind="person", last_name="Durand", owner=personas.bob)
    assert party.owner == personas.bob and party.team == personas.lyon
    with pytest.raises(ValidationFailed) as exc:
        services.party_create(actor=personas.manager, kind="person", last_name="Petit", owner=personas.outsider)
    assert "owner" in exc.value.fields


def test_every_invalid_field_is_reported_and_nothing_is_written(personas):
    with pytest.raises(ValidationFailed) as exc:
        services.party_create(actor=personas.alice, kind="organisation", legal_name="", siren="123456789",
                              vat_number="FR123", email="not-an-email", phone="12",
                              address=AddressInput(line1="", postcode="6900", city=""))
    assert set(exc.value.fields) == {"legal_name", "siren", "vat_number", "email", "phone", "line1", "postcode", "city"}
    assert Party.objects.count() == 0 and ActivityEvent.objects.count() == 0


def test_siret_must_belong_to_the_siren(personas):
    with pytest.raises(ValidationFailed) as exc:
        services.party_create(actor=personas.alice, kind="organisation", legal_name="Danone",
                              siren="552032534", siret="73282932000074")
    assert "siret" in exc.value.fields
    org = services.party_create(actor=personas.alice, kind="organisation", legal_name="IBM France",
                                siret="732 829 320 00074")
    assert org.siren == "732829320"


def test_future_birth_date_refused(personas):
    with pytest.raises(ValidationFailed) as exc:
        services.party_create(actor=personas.alice, kind="person", last_name="Futur",
                              birth_date=dt.date.today() + dt.timedelta(days=2))
    assert "birth_date" in exc.value.fields


@pytest.mark.parametrize("probe", [
    {"email": "elodie.legoff@EXEMPLE.fr", "last_name": "Autre"},
    {"phone": "+33 6 12 34 56 78", "last_name": "Autre"},
    {"first_name": "Elodie", "last_name": "Legoff", "birth_date": dt.date(1984, 3, 9)},
    {"first_name": "Elodie", "last_name": "Le Gof", "address": AddressInput(line1="1 place Bellecour", postcode="69002", city="Lyon")},
])
def test_possible_duplicates_are_caught_before_creation(personas, probe):
    existing = create_elodie(personas.alice)
    with pytest.raises(PossibleDuplicate) as exc:
        services.party_create(actor=personas.bob, kind="person", **probe)
    [candidate] = exc.value.candidates
    assert candidate.party_id is None and candidate.display_name is None  # Bob cannot read Alice's file
    assert candidate.reasons
    with pytest.raises(PossibleDuplicate) as exc:
        services.party_create(actor=personas.alice, kind="person", **probe)
    assert exc.value.candidates[0].party_id == existing.pk and exc.value.candidates[0].visible
    created = services.party_create(actor=personas.alice, kind="person", allow_duplicate=True, **probe)
    assert created.pk != existing.pk


def test_same_siren_is_a_duplicate(personas):
    factories.organisation(owner=personas.alice, siren="732829320")
    with pytest.raises(PossibleDuplicate):
        services.party_create(actor=personas.alice, kind="organisation", legal_name="Autre", siren="732829320")


def test_a_different_person_is_not_a_duplicate(personas):
    create_elodie(personas.alice)
    other = services.party_create(actor=personas.alice, kind="person", first_name="Jean", last_name="Dupont",
                                  birth_date=dt.date(1984, 3, 9), address=LYON)
    assert other.pk


def test_update_records_old_and_new_values_and_bumps_the_version(personas):
    party = create_elodie(personas.alice)
    updated = services.party_update(party=party, actor=personas.alice, version=1, stage="customer",
                                    last_name="Le Goff-Martin", tags=["VIP", "Épargne"])
    assert updated.version == 2 and updated.display_name == "Élodie LE GOFF-MARTIN"
    assert updated.customer_since == dt.date.today()
    event = ActivityEvent.objects.get(party_id=party.pk, action="party.updated")
    assert event.changes["stage"] == ["prospect", "customer"]
    assert event.changes["last_name"] == ["Le Goff", "Le Goff-Martin"]
    assert event.changes["tags"] == [["VIP"], ["VIP", "Épargne"]]
    assert "le goff martin" in Party.objects.get(pk=party.pk).search_text


def test_stale_update_is_refused_and_writes_nothing(personas):
    party = create_elodie(personas.alice)
    services.party_update(party=Party.objects.get(pk=party.pk), actor=personas.alice, version=1, job_title="Médecin")
    with pytest.raises(StaleVersion):
        services.party_update(party=Party.objects.get(pk=party.pk), actor=personas.manager, version=1, job_title="Avocate")
    fresh = Party.objects.get(pk=party.pk)
    assert fresh.job_title == "Médecin" and fresh.version == 2


def test_only_managers_reassign_a_customer(personas):
    party = create_elodie(personas.alice)
    with pytest.raises(FieldForbidden):
        services.party_update(party=party, actor=personas.alice, version=1, owner=personas.bob)
    with pytest.raises(FieldForbidden):
        services.party_update(party=party, actor=personas.alice, version=1, team=personas.paris)
    moved = services.party_update(party=party, actor=personas.manager, version=1, owner=personas.bob)
    assert moved.owner == personas.bob
    with pytest.raises(ValidationFailed) as exc:
        services.party_update(party=moved, actor=personas.manager, version=2, owner=personas.outsider)
    assert "owner" in exc.value.fields
    to_paris = services.party_update(party=moved, actor=personas.admin, version=2, owner=personas.outsider)
    assert to_paris.team == personas.paris  # the customer follows its new owner's agency


def test_kind_cannot_change(personas):
    party = create_elodie(personas.alice)
    with pytest.raises(ValidationFailed):
        services.party_update(party=party, actor=personas.alice, version=1, kind="organisation")


def test_contact_points_keep_one_primary_and_mirror_it(personas):
    party = create_elodie(personas.alice)
    second = services.email_add(party=party, actor=personas.alice, address="elodie@travail.fr", is_primary=True)
    party.refresh_from_db()
    assert party.email == "elodie@travail.fr"
    assert Email.objects.filter(party=party, is_primary=True).count() == 1
    with pytest.raises(ValidationFailed):
        services.email_add(party=party, actor=personas.alice, address="ELODIE@travail.FR")
    services.contact_point_remove(party=party, actor=personas.alice, row=second)
    party.refresh_from_db()
    assert party.email == "Elodie.LeGoff@exemple.fr"
    assert Email.objects.get(party=party).is_primary
    phone = services.phone_add(party=party, actor=personas.alice, number="04 78 00 00 01", kind="home")
    assert phone.number == "+33478000001" and not phone.is_primary
    assert Phone.objects.filter(party=party, is_primary=True).count() == 1
    party.refresh_from_db()
    assert party.search_text == build_search_text(
        names=[party.display_name], emails=["Elodie.LeGoff@exemple.fr"], phones=["+33612345678", "+33478000001"],
        identifiers=["", ""], places=["Lyon", "69002"])


def test_removing_another_partys_contact_point_is_refused(personas):
    a, b = create_elodie(personas.alice), factories.person(owner=personas.alice)
    with pytest.raises(ValidationFailed):
        services.contact_point_remove(party=a, actor=personas.alice, row=b.emails.get())


def test_consent_history_is_appended_never_overwritten(personas):
    party = create_elodie(personas.alice)
    services.consent_record(party=party, actor=personas.alice, channel="email", purpose="prospecting",
                            granted=True, source="branch", wording="J'accepte de recevoir des offres v1")
    services.consent_record(party=party, actor=personas.alice, channel="email", purpose="prospecting",
                            granted=False, source="email", wording="Désabonnement")
    from fidelia.parties.selectors import consent_states
    [state] = consent_states(party)
    assert state.current.granted is False and len(state.history) == 2
    assert ConsentRecord.objects.filter(party=party).count() == 2
    with pytest.raises(ValidationFailed):
        services.consent_record(party=party, actor=personas.alice, channel="sms", purpose="newsletter",
                                granted=True, recorded_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))


def test_household_and_life_events(personas):
    party = create_elodie(personas.alice)
    child = services.household_member_add(party=party, actor=personas.alice, role="child", first_name="Léo",
                                          birth_date=dt.date(2008, 6, 1))
    event = services.life_event_add(party=party, actor=personas.alice, kind="higher_education",
                                    date=dt.date(2026, 9, 1), member=child)
    assert event.member == child
    org = factories.organisation(owner=personas.alice)
    with pytest.raises(ValidationFailed):
        services.household_member_add(party=org, actor=personas.alice, role="child", first_name="X")
    other = factories.person(owner=personas.alice)
    with pytest.raises(ValidationFailed):
        services.life_event_add(party=other, actor=personas.alice, kind="birth", date=dt.date(2025, 1, 1), member=child)


def test_contacts_and_company_hierarchy(personas):
    group = factories.organisation(owner=personas.alice, siren="552032534", legal_name="Groupe Danone")
    sub = factories.organisation(owner=personas.alice, siren="732829320", legal_name="Danone Eaux", parent=group)
    contact = services.party_create(actor=personas.alice, kind="person", last_name="Achat", organisation=sub,
                                    job_title="Acheteuse")
    assert list(group.subsidiaries.all()) == [sub] and list(sub.contacts.all()) == [contact]
    with pytest.raises(ValidationFailed):
        services.party_update(party=group, actor=personas.alice, version=group.version, parent=group)
    with pytest.raises(ValidationFailed):
        services.party_create(actor=personas.alice, kind="person", last_name="X", organisation=contact)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_lose_nothing_on_postgresql(personas):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's real concurrency")
    party = create_elodie(personas.alice)
    outcomes: list[str] = []

    def edit(title: str) -> None:
        try:
            services.party_update(party=Party.objects.get(pk=party.pk), actor=personas.alice, version=1, job_title=title)
            outcomes.append("ok")
        except StaleVersion:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(f"Titre {i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["stale"] * 5
    assert Party.objects.get(pk=party.pk).version == 2


def test_life_event_removal_is_recorded_and_limited_to_the_party(personas, client):
    from django.urls import reverse

    party = create_elodie(personas.alice)
    event = services.life_event_add(party=party, actor=personas.alice, kind="marriage", date=dt.date(2020, 6, 6))
    other = factories.person(owner=personas.alice)
    with pytest.raises(ValidationFailed):
        services.life_event_remove(party=other, actor=personas.alice, event=event)
    client.force_login(personas.outsider)
    assert client.post(reverse("parties:life_event_remove", args=[party.pk, event.pk])).status_code == 404
    client.force_login(personas.service)  # reads every file, changes none
    assert client.post(reverse("parties:life_event_remove", args=[party.pk, event.pk])).status_code == 404
    client.force_login(personas.alice)
    assert client.post(reverse("parties:life_event_remove", args=[other.pk, event.pk])).status_code == 404
    response = client.post(reverse("parties:life_event_remove", args=[party.pk, event.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and not party.life_events.exists()
    assert ActivityEvent.objects.filter(party_id=party.pk, action="life_event.removed").count() == 1
