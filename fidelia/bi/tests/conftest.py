"""Shared data of the export and BI tests: two portfolios (Lyon's Alice, Paris's outsider), a
catalogue, contracts and transactions; files go to a temporary FIDELIA_VAR_DIR."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from fidelia.core.testing import make_personas
from fidelia.parties.services import AddressInput
from fidelia.parties.tests import factories
from fidelia.sales.services import (
    contract_create,
    family_create,
    product_create,
    transaction_record,
)
from tests.test_celery_worker import celery_app, worker  # noqa: F401 (fixtures: a real Celery worker)


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    settings.FIDELIA_EXPORT_RATE = "off"
    return tmp_path


@pytest.fixture
def personas(db: Any) -> Any:
    return make_personas()


@pytest.fixture
def world(personas: Any) -> dict[str, Any]:
    """Alice's customers (one with a formula-like name), one of the outsider's, their purchases."""
    family = family_create(actor=personas.admin, name="Crédits")
    product = product_create(actor=personas.admin, code="PAUTO", name="Prêt auto", family=family, kind="strategic",
                             price=Decimal("15000"), margin_rate=Decimal("0.05"))
    mine = [factories.person(owner=personas.alice, last_name="Martin", income_bracket="35_50",
                             address=AddressInput(line1="1 rue Neuve", postcode="69003", city="Lyon"),
                             birth_date=dt.date(1980, 5, 1)),
            factories.person(owner=personas.alice, last_name="=HYPERLINK(\"http://evil\")", stage="prospect")]
    theirs = factories.person(owner=personas.outsider, last_name="Dehors",
                                address=AddressInput(line1="2 rue Haute", postcode="75009", city="Paris"))
    for party in [mine[0], theirs]:  # the prospect holds nothing (a contract would make it a customer)
        contract_create(party=party, actor=personas.admin, product=product, start_date=dt.date(2024, 1, 1))
        transaction_record(party=party, actor=None, product=product, date=dt.date(2025, 3, 1),
                           amount=Decimal("1000.50"), channel="branch")
    return {"mine": mine, "theirs": theirs, "product": product}

