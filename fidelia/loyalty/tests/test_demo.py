"""The demo programme: three tiers, rewards, members whose ledgers come from their purchases, a referral."""
from __future__ import annotations

import datetime as dt

import pytest

from fidelia.demo.services import DEMO_APPS, seed_customers
from fidelia.loyalty import demo, services
from fidelia.loyalty.models import LedgerEntry, Membership, Programme, Referral

pytestmark = pytest.mark.django_db


def test_demo_programme(db):
    assert "loyalty" in DEMO_APPS
    seed_customers(customers=200, seed=7, progress=False)
    today = dt.date.today()
    demo.seed_demo(today=today)
    programme = Programme.objects.get()
    assert [t.name for t in programme.tiers.order_by("threshold")] == ["Argent", "Or", "Platine"]
    assert programme.rewards.count() == 4 and Membership.objects.count() > 20
    assert LedgerEntry.objects.filter(kind="earn").exists() and Referral.objects.count() == 1
    assert all(services.balance_of(m.pk) >= 0 for m in Membership.objects.all())
    demo.seed_demo(today=today)  # a second run leaves the programme as it is
    assert Programme.objects.count() == 1
