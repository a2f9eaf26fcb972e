"""Demo purchase potentials, so the RADAR page and the TCC of the demo customers are not empty.

About two customers in three "told their adviser" their total purchases per product family this
year and last year; the total is what they buy from us times a factor between 1 (we are their only
supplier) and 6 (we have a small share of their wallet), and a few prospects declare needs too.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Sum

from fidelia.parties.enums import Stage
from fidelia.parties.models import Party
from fidelia.portfolio.models import PurchasePotential
from fidelia.portfolio.services import radar_run
from fidelia.sales.models import ProductFamily, Transaction

SEED = 20260


def seed_demo(*, today: dt.date) -> None:
    rng = random.Random(SEED)
    years = (today.year - 1, today.year)
    bought = (Transaction.objects.filter(date__year__in=years)
              .values_list("party_id", "product__family_id", "date__year").annotate(total=Sum("amount")))
    rows = [PurchasePotential(party_id=party_id, family_id=family_id, year=year,
                              amount=(Decimal(str(total)) * Decimal(str(round(rng.uniform(1.0, 6.0), 2))))
                              .quantize(Decimal("0.01")))
            for party_id, family_id, year, total in bought if total and rng.random() < 0.66]
    families = list(ProductFamily.objects.values_list("pk", flat=True))
    prospects = Party.objects.filter(stage=Stage.PROSPECT).values_list("pk", flat=True).order_by("pk")
    rows += [PurchasePotential(party_id=pk, family_id=rng.choice(families), year=today.year,
                               amount=Decimal(rng.randrange(500, 20_000)))
             for pk in prospects if families and rng.random() < 0.3]
    PurchasePotential.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2_000)
    radar_run(as_of=today)
