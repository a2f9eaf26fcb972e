"""Demo customer value: a few retention efforts (gifts, discounts) on good customers, then the models
fitted on the demo base, so the value dashboard, the diagnostics and the file panels are filled."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from fidelia.accounts.enums import Role
from fidelia.accounts.models import User
from fidelia.clv.enums import EffortKind
from fidelia.clv.models import RetentionEffort
from fidelia.clv.services import value_model_run
from fidelia.sales.models import Transaction

SEED = 20267
NOTES = {
    EffortKind.GIFT: ["Coffret de fin d’année", "Invitation au salon client", "Bouteille offerte au rendez-vous"],
    EffortKind.DISCOUNT: ["Remise fidélité 10 %", "Frais de dossier offerts", "Geste commercial après réclamation"],
    EffortKind.OTHER: ["Déjeuner avec le conseiller", "Étude personnalisée offerte"],
}


def seed_demo(*, today: dt.date) -> None:
    """Efforts on about one buyer in eight over the last year, then one BG/NBD run as of today."""
    rng = random.Random(SEED)
    actor = User.objects.filter(role=Role.SALES_MANAGER, is_active=True).order_by("id").first()
    buyers = sorted(set(Transaction.objects.filter(date__gte=today - dt.timedelta(days=730))
                        .values_list("party_id", flat=True)))
    efforts = []
    chosen = [] if RetentionEffort.objects.exists() else rng.sample(buyers, k=len(buyers) // 8)
    for party_id in chosen:  # once: a retried demo does not double the efforts
        for _ in range(rng.randint(1, 2)):
            kind = rng.choice(list(EffortKind))
            efforts.append(RetentionEffort(
                party_id=party_id, kind=kind, amount=Decimal(rng.choice([15, 20, 30, 45, 60, 80, 120])),
                date=today - dt.timedelta(days=rng.randint(5, 360)), note=rng.choice(NOTES[kind]),
                recorded_by=actor))
    RetentionEffort.objects.bulk_create(efforts)
    value_model_run(as_of=today, actor=None)
