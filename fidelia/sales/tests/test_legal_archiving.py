"""Legal archiving: erasure archives contracts and transactions; archived contracts are for the DPO only."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from fidelia.parties.tests import factories
from fidelia.privacy.services import subject_erase, subject_export
from fidelia.sales.models import Contract, Transaction
from fidelia.sales.selectors import contracts_for_user
from fidelia.sales.services import (
    contract_create,
    family_create,
    product_create,
    transaction_record,
)


@pytest.fixture
def held(personas):
    family = family_create(actor=personas.admin, name="Assurances")
    product = product_create(actor=personas.admin, code="MRH", name="Habitation", family=family, kind="strategic",
                             price=Decimal("300"), margin_rate=Decimal("0.2"))
    party = factories.person(owner=personas.alice)
    other = factories.person(owner=personas.alice)
    contract = contract_create(party=party, actor=personas.alice, product=product, start_date=dt.date(2024, 1, 1))
    kept = contract_create(party=other, actor=personas.alice, product=product, start_date=dt.date(2024, 1, 1))
    transaction_record(party=party, actor=None, product=product, date=dt.date(2024, 1, 1), amount=Decimal("300"),
                       channel="branch")
    return party, contract, kept


def test_erasure_archives_contracts_and_transactions_and_keeps_their_figures(held):
    party, contract, kept = held
    report = subject_erase(party_id=party.pk)
    assert report.rows["sales"] == 2
    contract.refresh_from_db()
    assert contract.archived_at is not None and contract.annual_amount >= 0 and contract.reference
    assert Transaction.objects.get(party=party).amount == Decimal("300.00")
    assert Contract.objects.get(pk=kept.pk).archived_at is None
    assert subject_export(party_id=party.pk)["data"]["sales.contracts"][0]["archived_at"]


def test_archived_contracts_are_listed_to_the_dpo_only(personas, held):
    party, contract, kept = held
    subject_erase(party_id=party.pk)
    for name, user in personas.by_role().items():
        visible = set(contracts_for_user(user).values_list("pk", flat=True))
        assert (contract.pk in visible) == (name == "dpo"), name
        if name in {"admin", "manager", "alice", "marketing", "dpo"}:
            assert kept.pk in visible, name
        if name in {"outsider", "bob", "analyst"}:
            assert not visible


def test_an_archived_contract_leaves_the_owner_s_pages_and_api_but_not_the_dpo_s(client, personas, held):
    party, contract, kept = held
    Contract.objects.filter(pk=contract.pk).update(archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    client.force_login(personas.alice)
    assert contract.reference not in client.get(reverse("parties:detail", args=[party.pk])).content.decode()
    assert contract.reference not in client.get(reverse("sales:contract_list")).content.decode()
    assert kept.reference in client.get(reverse("sales:contract_list")).content.decode()
    api = client.get(f"/api/parties/{party.pk}/contracts").json()
    assert api["count"] == 0
    client.force_login(personas.dpo)
    assert contract.reference in client.get(reverse("parties:detail", args=[party.pk])).content.decode()
