"""The customer list (filters, sorting, pagination, HTMX rows) and the type-ahead search."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fidelia.core.testing import Personas
from fidelia.core.text import fold
from fidelia.parties.services import AddressInput
from fidelia.parties.tests import factories as f


@pytest.fixture
def portfolio(personas: Personas) -> list:
    """32 customers of Alice, so that a page holds 25 rows and an N+1 would show."""
    parties = [f.person(owner=personas.alice, tags=["VIP"] if i % 4 == 0 else []) for i in range(30)]
    parties.append(f.person(owner=personas.alice, first_name="Ermengarde", last_name="Le Quilliec", stage="prospect",
                            address=AddressInput(line1="1 rue Mercière", postcode="69002", city="Lyon")))
    parties.append(f.organisation(owner=personas.alice, legal_name="Boulangeries Rhône"))
    return parties


def test_list_paginates_25_a_page(client: Client, personas: Personas, portfolio: list) -> None:
    client.force_login(personas.alice)
    response = client.get(reverse("parties:list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 32
    second = client.get(reverse("parties:list"), {"page": 2})
    assert len(second.context["page"].object_list) == 7


def test_list_query_count_is_pinned(client: Client, personas: Personas, portfolio: list,
                                    django_assert_max_num_queries) -> None:
    client.force_login(personas.manager)
    client.get(reverse("parties:list"))  # warm the session
    # session, user, count, rows, owner choices, team choices
    with django_assert_max_num_queries(6):
        response = client.get(reverse("parties:list"), {"sort": "-created"})
    assert len(response.context["page"].object_list) == 25


def test_htmx_request_gets_the_rows_partial(client: Client, personas: Personas, portfolio: list) -> None:
    client.force_login(personas.alice)
    response = client.get(reverse("parties:list"), {"stage": "prospect"}, HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates][0] == "parties/partials/list_rows.html"
    body = response.content.decode()
    assert "<html" not in body
    assert "Ermengarde LE QUILLIEC" in body
    assert response.context["page"].paginator.count == 1


@pytest.mark.parametrize(("params", "expected"), [
    ({"kind": "organisation"}, 1),
    ({"tag": "VIP"}, 8),
    ({"city": "lyon"}, 1),
    ({"postcode": "6900"}, 1),
    ({"q": "le quilliec"}, 1),
    ({"stage": "bogus", "owner": "x", "page": "zz"}, 32),  # garbage filters are ignored, not a 500
])
def test_filters(client: Client, personas: Personas, portfolio: list, params: dict, expected: int) -> None:
    client.force_login(personas.admin)
    response = client.get(reverse("parties:list"), params)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == expected


def test_filter_by_owner_and_team(client: Client, personas: Personas, portfolio: list) -> None:
    f.person(owner=personas.outsider)
    client.force_login(personas.admin)
    by_owner = client.get(reverse("parties:list"), {"owner": personas.outsider.pk})
    assert by_owner.context["page"].paginator.count == 1
    by_team = client.get(reverse("parties:list"), {"team": personas.lyon.pk})
    assert by_team.context["page"].paginator.count == 32


def test_sorting_by_name_both_ways(client: Client, personas: Personas, portfolio: list) -> None:
    client.force_login(personas.alice)
    asc = [p.display_name for p in client.get(reverse("parties:list"), {"sort": "name"}).context["page"]]
    desc = [p.display_name for p in client.get(reverse("parties:list"), {"sort": "-name"}).context["page"]]
    # compare as people read names: accents do not move a name to the end of the alphabet
    assert [fold(n) for n in asc] == sorted(fold(n) for n in asc)
    assert [fold(n) for n in desc] == sorted((fold(n) for n in desc), reverse=True)


def test_search_tolerates_a_typo(client: Client, personas: Personas, portfolio: list) -> None:
    client.force_login(personas.alice)
    response = client.get(reverse("parties:search"), {"q": "ermengard lequiliec"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Ermengarde LE QUILLIEC" in body
    assert reverse("parties:detail", args=[portfolio[30].pk]) in body


def test_search_returns_at_most_10_and_pins_queries(client: Client, personas: Personas, portfolio: list,
                                                    django_assert_max_num_queries) -> None:
    client.force_login(personas.alice)
    client.get(reverse("parties:list"))
    with django_assert_max_num_queries(4):
        response = client.get(reverse("parties:search"), {"q": "example"}, HTTP_HX_REQUEST="true")
    assert response.content.decode().count('role="option"') == 10


def test_search_hides_other_portfolios(client: Client, personas: Personas, portfolio: list) -> None:
    client.force_login(personas.outsider)
    response = client.get(reverse("parties:search"), {"q": "quilliec"}, HTTP_HX_REQUEST="true")
    assert "QUILLIEC" not in response.content.decode()


def test_search_without_htmx_falls_back_to_the_list(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    response = client.get(reverse("parties:search"), {"q": "dupont"})
    assert response.status_code == 302
    assert response["Location"] == reverse("parties:list") + "?q=dupont"
