from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fidelia.parties.tests.factories import person
from fidelia.service.models import SlaPolicy


@pytest.fixture
def policies_sla(db: Any) -> list[SlaPolicy]:
    rows = [("low", 16, 80), ("normal", 8, 40), ("high", 4, 16), ("urgent", 1, 8)]
    return [SlaPolicy.objects.create(name=f"{p} (all)", priority=p, first_response_hours=Decimal(f),
                                     resolution_hours=Decimal(r)) for p, f, r in rows]


@pytest.fixture
def customer(personas: Any) -> Any:
    """Alice's customer, with a known address."""
    return person(owner=personas.alice, first_name="Claire", last_name="Dupont", email="claire.dupont@example.fr")
