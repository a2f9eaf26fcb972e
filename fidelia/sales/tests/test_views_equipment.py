"""Equipment rate (taux d'équipement): the pure computation and the access-checked selector."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from fidelia.parties.tests.factories import organisation, person
from fidelia.sales import services
from fidelia.sales.selectors import equipment_from_rows, party_equipment_rate


def test_equipment_from_rows_groups_by_family():
    rows = [(1, 10, "Épargne"), (2, 10, "Épargne"), (3, 20, "Crédits")]
    rate = equipment_from_rows(rows, {2, 3, 99})
    assert (rate.held, rate.relevant, rate.families_held) == (2, 3, 2)
    assert rate.rate == pytest.approx(2 / 3)
    assert [(f.family, f.held, f.relevant) for f in rate.families] == [("Épargne", 1, 2), ("Crédits", 1, 1)]


def test_nothing_relevant_gives_no_rate():
    rate = equipment_from_rows([], {1})
    assert (rate.held, rate.relevant, rate.rate, rate.families) == (0, 0, None, ())


def test_relevant_products_are_active_strategic_ones_of_families_held_by_the_kind(personas):
    admin, alice = personas.admin, personas.alice
    savings = services.family_create(actor=admin, name="Épargne")
    business = services.family_create(actor=admin, name="Crédits pro")

    def product(code: str, family, kind: str = "strategic", active: bool = True):
        return services.product_create(actor=admin, code=code, name=code, family=family, kind=kind,
                                       price=Decimal("1"), margin_rate=Decimal("0.1"), is_active=active)

    livret, pel = product("LIV", savings), product("PEL", savings)
    product("GOODIE", savings, kind="tactical")
    product("OLD", savings, active=False)
    pro_loan = product("PRO", business)
    start = dt.date(2024, 1, 1)
    customer = person(owner=alice)
    company = organisation(owner=alice)
    services.contract_create(party=customer, actor=alice, product=livret, start_date=start)
    services.contract_create(party=customer, actor=alice, product=pel, start_date=start, status="cancelled")
    services.contract_create(party=company, actor=alice, product=pro_loan, start_date=start)

    for_person = party_equipment_rate(user=alice, party=customer)
    # business loans are held by no person: not relevant to persons; tactical and withdrawn never are
    assert (for_person.held, for_person.relevant) == (1, 2)
    assert [(f.family, f.held, f.relevant) for f in for_person.families] == [("Épargne", 1, 2)]
    for_company = party_equipment_rate(user=alice, party=company.pk)
    assert (for_company.held, for_company.relevant, for_company.rate) == (1, 1, 1.0)


def test_equipment_rate_is_access_checked(personas):
    customer = person(owner=personas.alice)
    for user in (personas.outsider, personas.analyst):
        with pytest.raises(Http404):
            party_equipment_rate(user=user, party=customer)
    with pytest.raises(Http404):
        party_equipment_rate(user=personas.alice, party="abc")
