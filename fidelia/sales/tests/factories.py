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
