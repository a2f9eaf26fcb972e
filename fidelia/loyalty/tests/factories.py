"""Loyalty factories: a programme with three tiers and two rewards, members, purchases."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fidelia.accounts.models import User
from fidelia.loyalty import services
from fidelia.loyalty.models import Membership, Programme, Reward
from fidelia.parties.models import Party
from fidelia.sales import services as sales_services
from fidelia.sales.models import Product, ProductFamily, Transaction


def programme(*, actor: User, points_per_euro: str = "1", validity_months: int = 24) -> Programme:
    prog = Programme.objects.create(name="Fidelia Club", points_per_euro=Decimal(points_per_euro),
                                    validity_months=validity_months, referrer_points=500, referred_points=250)
    for name, threshold in (("Argent", 0), ("Or", 1000), ("Platine", 5000)):
        services.tier_create(programme=prog, name=name, threshold=threshold, actor=actor)
    services.reward_create(programme=prog, name="Bon d'achat 10 €", cost=1000, actor=actor)
    services.reward_create(programme=prog, name="Carte cadeau 50 €", cost=4500, actor=actor)
    return prog


def member(prog: Programme, party: Party, *, joined_on: dt.date | None = None) -> Membership:
    return services.membership_enrol(programme=prog, party=party, actor=None,
                                     joined_on=joined_on or dt.date.today() - dt.timedelta(days=800))


def product(*, actor: User, code: str, family: str) -> Product:
    fam = ProductFamily.objects.filter(name=family).first() or sales_services.family_create(actor=actor, name=family)
    return sales_services.product_create(actor=actor, code=code, name=f"Produit {code}", family=fam, kind="strategic",
                                         price=Decimal("100"), margin_rate=Decimal("0.25"), is_active=True)


def purchase(party: Party, prod: Product, amount: str, day: dt.date) -> Transaction:
    return sales_services.transaction_record(party=party, actor=None, product=prod, date=day, amount=Decimal(amount),
                                             channel="branch")


def reward(prog: Programme, cost: int) -> Reward:
    return Reward.objects.get(programme=prog, cost=cost)
