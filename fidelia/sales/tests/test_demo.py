"""The demo seeds leads, opportunities with history and quotes, deterministically, through the services."""
from __future__ import annotations

import datetime as dt

import pytest

from fidelia.parties.tests.factories import person
from fidelia.sales import demo
from fidelia.sales.models import Lead, Opportunity, OpportunityStageChange, Quote
from fidelia.sales.tests.factories import product

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_the_pipeline(personas, monkeypatch):
    monkeypatch.setattr(demo, "LEADS", 8)
    monkeypatch.setattr(demo, "OPPORTUNITIES", 12)
    monkeypatch.setattr(demo, "QUOTES", 6)
    for code in ("CRE-AUT", "ASS-HAB"):
        product(actor=personas.admin, code=code, family="Famille " + code)
    for _ in range(3):
        person(owner=personas.alice)
        person(owner=personas.bob)
    demo.seed_demo(today=dt.date.today())
    assert Lead.objects.count() == 8 and Opportunity.objects.count() == 8  # the outsider has no customer
    assert OpportunityStageChange.objects.count() > 12
    assert Opportunity.objects.filter(stage__outcome="won").exists() or Quote.objects.exists()
