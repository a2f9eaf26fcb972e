"""Test data for deduplication: a pair of duplicate files with one row of every related kind."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fidelia.accounts.models import User
from fidelia.dedup.models import DuplicateCandidate
from fidelia.parties.models import HouseholdMember, LifeEvent, Party, Tag
from fidelia.parties.services import consent_record
from fidelia.parties.tests import factories as pf

BIRTH = dt.date(1984, 3, 9)


def pair(owner: User, **b: Any) -> tuple[Party, Party]:
    """Élodie Le Goff twice: the second file with a typo, another e-mail and phone."""
    a = pf.person(owner=owner, first_name="Élodie", last_name="Le Goff", birth_date=BIRTH,
                  email="elodie.legoff@example.fr", phone="0612345678")
    values = {"first_name": "Elodie", "last_name": "Le Gof", "birth_date": BIRTH,
              "email": "e.legoff@example.org", "phone": "0698765432", **b}
    return a, pf.person(owner=owner, **values)


def candidate(a: Party, b: Party, score: float = 0.97) -> DuplicateCandidate:
    low, high = sorted((a, b), key=lambda p: p.pk)
    return DuplicateCandidate.objects.create(party_a=low, party_b=high, score=score, reasons=["name_similar", "birth_date"])


def everything_on(party: Party, actor: User, *, relative: Party | None = None,
                  pointing: Party | None = None) -> dict[str, Any]:
    """One row of every kind attached to `party` (contract, transaction, interaction, household,
    life event, consent, tag, subject request, contact of an organisation...)."""
    from fidelia.interactions.models import Interaction
    from fidelia.privacy.models import SubjectRequest
    from fidelia.sales.models import Contract, Product, ProductFamily, Transaction

    family, _ = ProductFamily.objects.get_or_create(name="Assurance")
    product, _ = Product.objects.get_or_create(code="AUTO", defaults={
        "name": "Assurance auto", "family": family, "kind": "strategic", "price": Decimal("500"),
        "margin_rate": Decimal("0.2")})
    today = dt.date.today()
    member = HouseholdMember.objects.create(party=party, role="child", first_name="Léo", birth_date=dt.date(2015, 1, 2))
    rows = {
        "contract": Contract.objects.create(party=party, product=product, reference=f"C-{party.pk}", start_date=today,
                                            annual_amount=Decimal("500")),
        "transaction": Transaction.objects.create(party=party, product=product, date=today, amount=Decimal("500"),
                                                  margin=Decimal("100"), channel="branch"),
        "interaction": Interaction.objects.create(party=party, channel="phone", direction="inbound", subject="Devis",
                                                  occurred_at=timezone.now()),
        "member": member,
        "life_event": LifeEvent.objects.create(party=party, kind="birth", date=dt.date(2015, 1, 2), member=member),
        "consent": consent_record(party=party, actor=actor, channel="email", purpose="newsletter", granted=True),
        "request": SubjectRequest.objects.create(kind="access", party_id=party.pk, requester_name="Élodie",
                                                 received_on=today, due_on=today + dt.timedelta(days=30)),
    }
    tag, _ = Tag.objects.get_or_create(name=f"tag-{party.pk}")
    party.tags.add(tag)
    if relative is not None:  # the party is named as a relative in someone else's household
        rows["as_relative"] = HouseholdMember.objects.create(party=relative, role="spouse", first_name="É",
                                                             member_party=party)
    if pointing is not None:  # another file naming it as its organisation and parent company
        Party.objects.filter(pk=pointing.pk).update(organisation=party, parent=party)
    return rows
