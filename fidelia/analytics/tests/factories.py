"""Test data for analytics: customers with given revenues, bought through the sales service."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from fidelia.parties.enums import PartyKind, Stage
from fidelia.parties.models import Party
from fidelia.sales.enums import ProductKind, SalesChannel
from fidelia.sales.models import Product, ProductFamily, Transaction

REFERENCE = dt.date(2026, 6, 30)


def product(kind: str = ProductKind.STRATEGIC, code: str | None = None, family: ProductFamily | None = None) -> Product:
    family = family or ProductFamily.objects.get_or_create(name="Assurance")[0]
    code = code or f"P-{kind}-{family.pk}"
    return Product.objects.get_or_create(code=code, defaults={"name": code, "family": family, "kind": kind,
                                                              "price": Decimal("10"), "margin_rate": Decimal("0.2")})[0]


def customer(name: str, *, owner: Any = None, team: Any = None) -> Party:
    return Party.objects.create(kind=PartyKind.PERSON, stage=Stage.CUSTOMER, display_name=name, last_name=name,
                                owner=owner, team=team or getattr(owner, "team", None))


def buy(party: Party, amounts: Iterable[tuple[dt.date, Decimal | int | str]], *, item: Product | None = None,
        margin_rate: Decimal = Decimal("0.2")) -> list[Transaction]:
    """Bulk purchase lines (the service is exercised elsewhere; analytics only reads the table)."""
    item = item or product()
    rows = [Transaction(party=party, product=item, date=day, amount=Decimal(str(a)),
                        margin=(Decimal(str(a)) * margin_rate).quantize(Decimal("0.01")), channel=SalesChannel.BRANCH)
            for day, a in amounts]
    return Transaction.objects.bulk_create(rows)


def customers_with_revenues(revenues: Sequence[int], *, owner: Any = None, prefix: str = "Client",
                            day: dt.date = dt.date(2026, 3, 1)) -> list[Party]:
    """Customers 1..n, each with one purchase of the given revenue on `day`."""
    parties = []
    for i, rev in enumerate(revenues, start=1):
        party = customer(f"{prefix} {i:02d}", owner=owner)
        buy(party, [(day, rev)])
        parties.append(party)
    return parties
