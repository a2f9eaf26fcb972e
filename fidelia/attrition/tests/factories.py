"""A synthetic customer base with a learnable attrition pattern, written in bulk (hundreds of customers
with years of purchases: the services would take minutes for a fixture)."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from fidelia.accounts.models import User
from fidelia.parties.models import Party
from fidelia.sales.models import Contract, Product, ProductFamily, Transaction


def catalogue() -> Product:
    family = ProductFamily.objects.get_or_create(name="Épargne")[0]
    return Product.objects.get_or_create(code="ATT1", defaults={
        "name": "Livret", "family": family, "kind": "strategic", "price": Decimal("50"),
        "margin_rate": Decimal("0.2")})[0]


def base(*, owners: list[User], today: dt.date, n: int = 240, seed: int = 7) -> list[Party]:
    """`n` customers over three years: each buys every `gap` days (20–120) from a start date; about half
    stop at a random date (the later it is, the more they slow down first). A few hold contracts."""
    rng = random.Random(seed)
    product = catalogue()
    parties = Party.objects.bulk_create([
        Party(kind="person", stage="customer", display_name=f"Client {i}", first_name="Client", last_name=str(i),
              owner=owners[i % len(owners)], team=owners[i % len(owners)].team) for i in range(n)])
    rows, contracts = [], []
    for i, party in enumerate(parties):
        gap = rng.randint(20, 120)
        start = today - dt.timedelta(days=rng.randint(500, 1100))
        stop = today - dt.timedelta(days=rng.randint(0, 700)) if rng.random() < 0.5 else today
        day, slow = start, 1.0
        while day < stop:
            amount = Decimal(rng.randint(20, 300))
            rows.append(Transaction(party=party, product=product, date=day, quantity=1, amount=amount,
                                    margin=amount / 5, channel="branch" if i % 3 else "web"))
            if (stop - day).days < 200:
                slow *= 1.3  # slowing down before leaving: the precursor sign
            day += dt.timedelta(days=max(1, int(gap * slow * rng.uniform(0.7, 1.3))))
        if i % 10 == 0:
            contracts.append(Contract(party=party, product=product, reference=f"ATT-{party.pk}", start_date=start,
                                      end_date=None if stop == today else stop, status="active" if stop == today else "ended",
                                      annual_amount=Decimal("100")))
    Transaction.objects.bulk_create(rows, batch_size=2000)
    Contract.objects.bulk_create(contracts)
    return parties
