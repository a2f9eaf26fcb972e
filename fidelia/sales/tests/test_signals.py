"""Sales announces purchases and contracts after commit, never for a rolled-back one."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from fidelia.parties.tests import factories as party_factories
from fidelia.sales import services
from fidelia.sales.signals import contracts_signed, purchases_recorded
from fidelia.sales.tests import factories


@pytest.fixture
def heard():
    got: list[tuple[str, dict]] = []

    def on_purchase(sender, signal, **kw):
        got.append(("purchase", kw))

    def on_contract(sender, signal, **kw):
        got.append(("contract", kw))

    purchases_recorded.connect(on_purchase, dispatch_uid="test-purchase")
    contracts_signed.connect(on_contract, dispatch_uid="test-contract")
    yield got
    purchases_recorded.disconnect(dispatch_uid="test-purchase")
    contracts_signed.disconnect(dispatch_uid="test-contract")


def test_purchase_and_contract_are_announced_after_commit(personas, heard, django_capture_on_commit_callbacks):
    party = party_factories.person(owner=personas.alice)
    item = factories.product(actor=personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        tx = services.transaction_record(party=party, actor=None, product=item, date=dt.date(2025, 5, 2),
                                         amount=Decimal("40"), channel="branch")
        assert heard == []  # nothing before the commit
    with django_capture_on_commit_callbacks(execute=True):
        ct = services.contract_create(party=party, actor=personas.admin, product=item, start_date=dt.date(2025, 5, 2))
    assert heard == [("purchase", {"party_ids": [party.pk], "transaction_ids": [tx.pk]}),
                     ("contract", {"party_ids": [party.pk], "contract_ids": [ct.pk]})]


def test_rolled_back_purchase_is_not_announced(personas, heard, django_capture_on_commit_callbacks):
    party = party_factories.person(owner=personas.alice)
    item = factories.product(actor=personas.admin)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.transaction_record(party=party, actor=None, product=item, date=dt.date(2025, 5, 2),
                                    amount=Decimal("40"), channel="branch")
        raise RuntimeError("abort")
    assert heard == []
