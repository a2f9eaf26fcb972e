"""Factories for the sales force: a small catalogue, opportunities and quotes through the services."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fidelia.accounts.models import User
from fidelia.parties.models import Party
from fidelia.sales import services
from fidelia.sales.models import Opportunity, PipelineStage, Product, Quote


def product(*, actor: User, code: str = "LIV", price: str = "100", kind: str = "strategic", family: str = "Épargne") -> Product:
    fam = services.family_create(actor=actor, name=family)
    return services.product_create(actor=actor, code=code, name=f"Produit {code}", family=fam, kind=kind,
                                   price=Decimal(price), margin_rate=Decimal("0.25"), is_active=True)


def stage(code: str) -> PipelineStage:
    return PipelineStage.objects.get(code=code)


def opportunity(*, party: Party, actor: User, amount: str = "1000", stage_code: str = "qualification",
                **values: Any) -> Opportunity:
    values.setdefault("name", "Assurance habitation")
    values.setdefault("expected_close", dt.date.today() + dt.timedelta(days=30))
    return services.opportunity_create(party=party, actor=actor, amount=Decimal(amount), stage=stage(stage_code),
                                       **values)


def quote(*, party: Party, actor: User, items: list[tuple[Product, int, str, str]], **values: Any) -> Quote:
    """`items`: (product, quantity, discount %, VAT %)."""
    lines = [services.QuoteLineInput(product=p, quantity=q, discount_rate=Decimal(d), vat_rate=Decimal(v))
             for p, q, d, v in items]
    return services.quote_create(party=party, actor=actor, lines=lines, **values)


def ensure_default_stages() -> None:
    """The default stages and lost reasons of the data migration (a transactional test flushes them)."""
    import importlib

    from django.apps import apps

    importlib.import_module("fidelia.sales.migrations.0004_default_stages_and_lead_retention").seed(apps, None)


def sales_world(personas: Any, party: Party, catalogue_product: Product) -> dict[str, list[int]]:
    """Rows for the API fuzzer to aim at: an opportunity, a lead and a draft quote (ids by path parameter)."""
    from fidelia.sales.enums import LeadSource

    deal = opportunity(party=party, actor=personas.alice)
    lead = services.lead_create(actor=personas.alice, source=LeadSource.REFERRAL, last_name="Fuzz")
    draft = quote(party=party, actor=personas.alice, opportunity=deal, items=[(catalogue_product, 1, "0", "20")])
    return {"opportunity_id": [deal.pk], "lead_id": [lead.pk], "quote_id": [draft.pk]}
