"""Visibility and search: what each persona finds, and that typos, accents and case are forgiven."""
import datetime as dt

import pytest
from django.http import Http404

from fidelia.parties import selectors
from fidelia.parties.selectors import PartyFilters
from fidelia.parties.services import AddressInput
from fidelia.parties.tests import factories


@pytest.fixture
def book(personas):
    """Alice's, Bob's (same team) and the outsider's (Paris) customers."""
    return {
        "alice": factories.person(owner=personas.alice, first_name="Élodie", last_name="Le Goff",
                                  email="elodie.legoff@exemple.fr", phone="06 12 34 56 78",
                                  address=AddressInput(line1="1 rue Mercière", postcode="69002", city="Lyon")),
        "bob": factories.person(owner=personas.bob, first_name="François", last_name="Dupont",
                                address=AddressInput(line1="3 quai Perrache", postcode="69002", city="Lyon")),
        "paris": factories.person(owner=personas.outsider, first_name="Hélène", last_name="Dupond",
                                  address=AddressInput(line1="8 rue Auber", postcode="75009", city="Paris")),
        "org": factories.organisation(owner=personas.alice, legal_name="Boulangerie Grégoire", siren="732829320"),
    }


VISIBLE = {
    "admin": {"alice", "bob", "paris", "org"},
    "dpo": {"alice", "bob", "paris", "org"},
    "marketing": {"alice", "bob", "paris", "org"},
    "service": {"alice", "bob", "paris", "org"},
    "manager": {"alice", "bob", "org"},
    "alice": {"alice", "org"},
    "bob": {"bob"},
    "outsider": {"paris"},
    "analyst": set(),
}
WRITABLE = {
    "admin": {"alice", "bob", "paris", "org"},
    "manager": {"alice", "bob", "org"},
    "alice": {"alice", "org"},
    "bob": {"bob"},
    "outsider": {"paris"},
    "dpo": set(), "marketing": set(), "service": set(), "analyst": set(),
}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_read_and_write_visibility_per_role(personas, book, who):
    user = personas.by_role()[who]
    for key, party in book.items():
        readable = key in VISIBLE[who]
        assert selectors.parties_for_user(user).filter(pk=party.pk).exists() is readable, key
        if readable:
            assert selectors.party_get_for_user(user=user, pk=party.pk) == party
        else:
            with pytest.raises(Http404):
                selectors.party_get_for_user(user=user, pk=party.pk)
        if key in WRITABLE[who]:
            assert selectors.party_get_for_user(user=user, pk=party.pk, for_write=True) == party
        else:
            with pytest.raises(Http404):
                selectors.party_get_for_user(user=user, pk=party.pk, for_write=True)


def test_team_reading_can_be_switched_on_per_team(personas, book):
    personas.lyon.reps_read_team = True
    personas.lyon.save()
    bob = type(personas.bob).objects.get(pk=personas.bob.pk)
    assert selectors.parties_for_user(bob).filter(pk=book["alice"].pk).exists()
    with pytest.raises(Http404):
        selectors.party_get_for_user(user=bob, pk=book["alice"].pk, for_write=True)


def test_inactive_user_and_garbage_ids_see_nothing(personas, book):
    personas.admin.is_active = False
    assert not selectors.parties_for_user(personas.admin).exists()
    for pk in ("abc", None, "1; drop table", 10**30):
        with pytest.raises(Http404):
            selectors.party_get_for_user(user=personas.alice, pk=pk)


@pytest.mark.parametrize("query, expected", [
    ("elodie", "alice"), ("ÉLODIE", "alice"), ("le goff", "alice"), ("legoff@exemple", "alice"),
    ("06 12 34 56", "alice"), ("+33 6 12 34", "alice"), ("732829320", "org"), ("gregoire", "org"),
    ("Elodei", "alice"),            # swapped letters
    ("Legof", "alice"),             # missing letter
    ("boulangrie gregoire", "org"),  # typo in one word
    ("francois dupont", "bob"),
])
def test_search_forgives_accents_case_and_typos(personas, book, query, expected):
    found = selectors.party_search(user=personas.admin, q=query)
    assert found and found[0].pk == book[expected].pk, [p.display_name for p in found]


def test_search_never_shows_other_portfolios(personas, book):
    assert [p.pk for p in selectors.party_search(user=personas.outsider, q="dupon")] == [book["paris"].pk]
    assert {p.pk for p in selectors.party_search(user=personas.manager, q="dupon")} == {book["bob"].pk}
    assert selectors.party_search(user=personas.analyst, q="dupont") == []


def test_search_ignores_too_short_queries(personas, book):
    assert selectors.party_search(user=personas.admin, q=" e ") == []


def test_search_query_count_does_not_grow_with_results(personas, django_assert_max_num_queries):
    for i in range(30):
        factories.person(owner=personas.alice, last_name=f"Martin{i:02d}")
    with django_assert_max_num_queries(3):
        found = selectors.party_search(user=personas.alice, q="martin", limit=10)
    assert len(found) == 10


def test_list_filters_and_sorting(personas, book):
    admin = personas.admin
    by_city = selectors.party_list(user=admin, filters=PartyFilters(city="lyon", sort="-name"))
    assert [p.pk for p in by_city] == [book["bob"].pk, book["alice"].pk]
    assert list(selectors.party_list(user=admin, filters=PartyFilters(kind="organisation"))) == [book["org"]]
    assert list(selectors.party_list(user=admin, filters=PartyFilters(owner=personas.outsider.pk))) == [book["paris"]]
    assert list(selectors.party_list(user=admin, filters=PartyFilters(team=personas.paris.pk))) == [book["paris"]]
    assert list(selectors.party_list(user=admin, filters=PartyFilters(postcode="750"))) == [book["paris"]]
    assert list(selectors.party_list(user=personas.alice, filters=PartyFilters(q="dupon"))) == []
    assert list(selectors.party_list(user=admin, filters=PartyFilters(sort="nonsense")))  # falls back to name


def test_tag_filter(personas, book):
    from fidelia.parties.services import party_update
    party_update(party=book["alice"], actor=personas.alice, version=book["alice"].version, tags=["VIP"])
    assert list(selectors.party_list(user=personas.admin, filters=PartyFilters(tag="VIP"))) == [book["alice"]]


def test_party_file_loads_in_a_fixed_number_of_queries(personas, django_assert_max_num_queries):
    from decimal import Decimal

    from fidelia.interactions.services import interaction_log
    from fidelia.parties.services import consent_record, household_member_add, life_event_add
    from fidelia.sales.services import (
        contract_create,
        family_create,
        product_create,
        transaction_record,
    )

    party = factories.person(owner=personas.alice)
    family = family_create(actor=personas.admin, name="Épargne")
    product = product_create(actor=personas.admin, code="LIVA", name="Livret A", family=family, kind="tactical",
                             price=Decimal("10"), margin_rate=Decimal("0.2"))
    for i in range(30):
        interaction_log(party=party, actor=personas.alice, channel="phone", direction="outbound", subject=f"Appel {i}")
        transaction_record(party=party, actor=personas.alice, product=product, date=dt.date(2025, 1, 1) + dt.timedelta(days=i),
                           amount=Decimal("100"), channel="branch")
        contract_create(party=party, actor=personas.alice, product=product, start_date=dt.date(2024, 1, 1))
        consent_record(party=party, actor=personas.alice, channel="email", purpose="newsletter", granted=bool(i % 2))
        member = household_member_add(party=party, actor=personas.alice, role="child", first_name=f"Enfant {i}")
        life_event_add(party=party, actor=personas.alice, kind="birth", date=dt.date(2020, 1, 1), member=member)
    with django_assert_max_num_queries(20):
        loaded = selectors.party_file(user=personas.alice, pk=party.pk)
        assert len(loaded.recent_interactions) == 20 and len(loaded.recent_transactions) == 20
        assert len(loaded.contracts.all()) == 30 and len(loaded.household_members.all()) == 30
        assert [e.member.first_name for e in loaded.life_events.all()]
        assert loaded.consent_states[0].history[0].recorded_by == personas.alice


def test_segment_ready_filters(personas):
    young = factories.person(owner=personas.alice, birth_date=factories.birth(25), csp="5", income_bracket="20_35",
                             preferred_channel="sms")
    old = factories.person(owner=personas.alice, birth_date=factories.birth(70), csp="7", income_bracket="35_50")
    admin = personas.admin

    def pks(**kw):
        return [p.pk for p in selectors.party_list(user=admin, filters=PartyFilters(**kw))]

    assert pks(csp="7") == [old.pk]
    assert pks(income_bracket="20_35") == [young.pk]
    assert pks(preferred_channel="sms") == [young.pk]
    assert pks(min_age=60) == [old.pk]
    assert pks(max_age=25) == [young.pk]
    assert pks(min_age=26, max_age=69) == []
    assert sorted(pks(min_age=25, max_age=70)) == sorted([young.pk, old.pk])


def test_monthly_series_fills_empty_months_and_ends_this_month():
    rows = [(dt.date(2026, 9, 1), 120, 30), (dt.date(2026, 11, 1), 50.5, 10)]
    series = selectors.monthly_series(rows, end=dt.date(2026, 11, 23), months=4)
    assert series.months == [dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    assert series.amounts == [0.0, 120.0, 0.0, 50.5] and series.margins == [0.0, 30.0, 0.0, 10.0]
    across_new_year = selectors.monthly_series([], end=dt.date(2026, 2, 1), months=3)
    assert across_new_year.months == [dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]


def test_the_360_page_charts_monthly_purchases(personas, client):
    from decimal import Decimal

    from django.urls import reverse

    from fidelia.sales.services import family_create, product_create, transaction_record

    party = factories.person(owner=personas.alice)
    family = family_create(actor=personas.admin, name="Cartes")
    card = product_create(actor=personas.admin, code="VISA", name="Visa Premier", family=family, kind="strategic",
                          price=Decimal("130"), margin_rate=Decimal("0.5"))
    transaction_record(party=party, actor=personas.alice, product=card, date=dt.date.today(), amount=Decimal("130"),
                       channel="branch")
    client.force_login(personas.manager)
    page = client.get(reverse("parties:detail", args=[party.pk])).content.decode()
    assert 'data-chart="monthly-bars"' in page and 'id="purchases-data"' in page
    assert "130.0" in page and "65.0" in page  # amount and margin of this month
    # a sales rep reads the purchases but not the margins: the series is left out of the chart
    client.force_login(personas.alice)
    page = client.get(reverse("parties:detail", args=[party.pk])).content.decode()
    assert "130.0" in page and '"margins"' not in page and "65.0" not in page
    empty = factories.person(owner=personas.alice)
    assert 'data-chart="monthly-bars"' not in client.get(reverse("parties:detail", args=[empty.pk])).content.decode()
