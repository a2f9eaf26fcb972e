"""Test data for portfolio management, built through the real services."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fidelia.accounts.models import User
from fidelia.parties.models import Party
from fidelia.portfolio import services
from fidelia.portfolio.models import ScoringGrid
from fidelia.sales import services as sales
from fidelia.sales.models import Product, ProductFamily

# DOMAIN.md §6: coefficients of the potential and the performance criteria (Σ = 10 each).
POTENTIAL = [("sector", 2), ("technology", 1), ("turnover", 3), ("frequency", 3), ("market", 1)]
PERFORMANCE = [("sales", 2), ("seniority", 1), ("equipment", 3), ("capacity", 3), ("terms", 1)]


def course_grid(actor: User, code: str = "course") -> ScoringGrid:
    """The course's grid with every criterion entered (so tests set exact scores)."""
    criteria = [services.CriterionInput(name=name, code=name, group="potential", coefficient=c) for name, c in POTENTIAL]
    criteria += [services.CriterionInput(name=name, code=name, group="performance", coefficient=c)
                 for name, c in PERFORMANCE]
    return services.grid_create(actor=actor, name="Course grid", code=code, criteria=criteria)


def enter(actor: User, party: Party, grid: ScoringGrid, potential: list[int], performance: list[int]) -> None:
    codes = [n for n, _ in POTENTIAL] + [n for n, _ in PERFORMANCE]
    services.scores_enter(actor=actor, party=party, grid=grid, scores=dict(zip(codes, potential + performance,
                                                                                strict=True)))


def product(admin: User, family: ProductFamily, code: str = "P1", kind: str = "strategic") -> Product:
    return sales.product_create(actor=admin, code=code, name=code, family=family, kind=kind,
                                price=Decimal("10"), margin_rate=Decimal("0.25"))


def buy(party: Party, item: Product, amount: str | int, date: dt.date) -> None:
    sales.transaction_record(party=party, actor=None, product=item, date=date, amount=Decimal(str(amount)),
                             channel="branch")
