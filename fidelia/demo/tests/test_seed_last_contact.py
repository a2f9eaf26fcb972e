"""Seeded customers carry the last inbound and outbound contact of their seeded timeline."""
from __future__ import annotations

import pytest
from django.db.models import Max, Q

from fidelia.demo.services import seed_customers
from fidelia.parties.models import Party


@pytest.mark.django_db
def test_seeded_last_contacts_match_the_seeded_interactions():
    seed_customers(customers=60, seed=3, progress=False)
    parties = Party.objects.annotate(
        inbound=Max("interactions__occurred_at", filter=Q(interactions__direction="inbound")),
        outbound=Max("interactions__occurred_at", filter=Q(interactions__direction="outbound")),
    )
    rows = [(p.last_inbound_at, p.inbound, p.last_outbound_at, p.outbound) for p in parties]
    assert rows and all(a == b and c == d for a, b, c, d in rows)
    assert any(p.inbound for p in parties) and any(p.inbound is None for p in parties)
