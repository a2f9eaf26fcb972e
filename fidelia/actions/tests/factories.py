"""Test data for actions to take: household members, life events, contracts, stored analytics."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fidelia.analytics.models import AnalysisRun, CustomerAnalytics
from fidelia.parties.models import HouseholdMember, LifeEvent, Party
from fidelia.sales.models import Contract, Product, ProductFamily


def child(party: Party, born: dt.date) -> HouseholdMember:
    return HouseholdMember.objects.create(party=party, role="child", first_name="Léa", birth_date=born)


def event(party: Party, kind: str, day: dt.date) -> LifeEvent:
    return LifeEvent.objects.create(party=party, kind=kind, date=day)


def product(code: str = "MRH") -> Product:
    family, _ = ProductFamily.objects.get_or_create(name="Assurance")
    return Product.objects.get_or_create(code=code, defaults={
        "name": code, "family": family, "kind": "tactical", "price": Decimal("100"),
        "margin_rate": Decimal("0.1")})[0]


def contract(party: Party, *, renewal: dt.date | None, status: str = "active", code: str = "MRH") -> Contract:
    return Contract.objects.create(party=party, product=product(code), reference=f"CT-{party.pk}-{renewal}-{status}",
                                   start_date=dt.date(2020, 1, 1), renewal_date=renewal, status=status)


def analytics(party: Party, abc: str, *, today: dt.date) -> CustomerAnalytics:
    run = AnalysisRun.objects.first() or AnalysisRun.objects.create(
        reference_date=today, date_from=today - dt.timedelta(days=365), date_to=today, status="done")
    return CustomerAnalytics.objects.create(
        party=party, run=run, revenue=Decimal("1000"), margin=Decimal("100"), orders=3, first_purchase=today,
        last_purchase=today, rank=1, cumulative_share=0.1, abc_class=abc, recency_days=10, r_score=5, f_score=5,
        m_score=5, rfm_cell="555", rfm_segment="champions", frat_recency_days=100)
