"""Test data for customer value: customers with purchase histories, through the real services."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from fidelia.accounts.models import User
from fidelia.parties.models import Party
from fidelia.parties.tests.factories import person
from fidelia.sales import services as sales
from fidelia.sales.models import Product, Transaction

AS_OF = dt.date(2026, 6, 30)


def product(admin: User) -> Product:
    family = sales.family_create(actor=admin, name="Assurance")
    return sales.product_create(actor=admin, code="AUTO", name="Auto", family=family, kind="strategic",
                                price=Decimal("100"), margin_rate=Decimal("0.25"))


def base(owner: User, item: Product, *, customers: int = 40, seed: int = 7) -> list[Party]:
    """`customers` customers of `owner` with 0–8 repeat purchase days over two years before AS_OF."""
    rng = random.Random(seed)
    parties = [person(owner=owner) for _ in range(customers)]
    rows = []
    for p in parties:
        first = AS_OF - dt.timedelta(days=rng.randint(60, 700))
        days = sorted({first + dt.timedelta(days=rng.randint(1, (AS_OF - first).days))
                       for _ in range(rng.randint(0, 8))})
        for d in [first, *days]:
            amount = Decimal(rng.randint(20, 200))
            rows.append(Transaction(party=p, product=item, date=d, amount=amount, margin=amount / 4, channel="branch"))
    Transaction.objects.bulk_create(rows)
    return parties
