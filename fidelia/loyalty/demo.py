"""Demo loyalty: the « Fidelia Privilèges » programme with three tiers (Argent, Or, Platine), a
double-points fortnight, rewards, two clubs, about sixty members whose purchases earned points
through the real earning job, a redemption or two and one referral — all through the services."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from fidelia.core.errors import DomainError
from fidelia.loyalty import services
from fidelia.loyalty.models import BonusEvent, FamilyRule, Membership, Programme, Reward
from fidelia.parties.enums import PartyKind, Stage
from fidelia.parties.models import Party
from fidelia.sales.models import ProductFamily

SEED = 8080
MEMBERS = 60
TIERS = [("Argent", 0, "Newsletter des membres, offres de bienvenue."),
         ("Or", 1500, "Frais de dossier offerts, conseiller dédié, invitations aux événements."),
         ("Platine", 5000, "Ligne prioritaire, cadeau d’anniversaire, tarifs préférentiels.")]
REWARDS = [("Bon d’achat 10 €", 1000, "Valable sur tous les produits."),
           ("Carte cadeau 30 €", 2800, "Enseignes partenaires."),
           ("Mois de cotisation offert", 4000, "Sur un contrat d’assurance."),
           ("Week-end bien-être", 9000, "Deux nuits pour deux personnes.")]
CLUBS = [("Club Patrimoine", "Conférences sur l’épargne et la transmission, réservées aux membres."),
         ("Club Jeunes Actifs", "Ateliers premier achat immobilier et budget, 25–35 ans.")]


def seed_demo(*, today: dt.date) -> None:
    if Programme.objects.exists():
        return
    rng = random.Random(SEED)
    programme = Programme.objects.create(name="Fidelia Privilèges", points_per_euro=Decimal("1"), validity_months=24,
                                         referrer_points=500, referred_points=250)
    admin = None
    for name, threshold, benefits in TIERS:
        services.tier_create(programme=programme, name=name, threshold=threshold, benefits=benefits, actor=admin)
    for name, cost, description in REWARDS:
        services.reward_create(programme=programme, name=name, cost=cost, description=description, actor=admin)
    for family in ProductFamily.objects.order_by("name")[:2]:
        FamilyRule.objects.create(programme=programme, family=family, points_per_euro=Decimal("2"))
    BonusEvent.objects.create(programme=programme, name="Quinzaine double points", multiplier=Decimal("2"),
                              starts_on=today - dt.timedelta(days=75), ends_on=today - dt.timedelta(days=61))
    clubs = [services.club_create(name=n, description=d, actor=admin) for n, d in CLUBS]
    customers = list(Party.objects.filter(kind=PartyKind.PERSON, stage=Stage.CUSTOMER, erased_at__isnull=True,
                                          transactions__isnull=False).distinct().order_by("pk")[:MEMBERS * 3])
    rng.shuffle(customers)
    members = []
    for party in customers[:MEMBERS]:
        joined = today - dt.timedelta(days=rng.randint(200, 1100))
        members.append(services.membership_enrol(programme=programme, party=party, actor=None, joined_on=joined))
        if rng.random() < 0.2:
            services.club_enrol(club=rng.choice(clubs), party=party, actor=None)
    services.points_earn_for_transactions(since=today - dt.timedelta(days=1200), until=today, programme=programme)
    services.points_expire(today=today)
    services.tiers_recompute(today=today)
    _redeem_some(members, today)
    _one_referral(members, today)


def _redeem_some(members: list[Membership], today: dt.date) -> None:
    rewards = list(Reward.objects.filter(is_active=True).order_by("cost"))
    for member in members[:15]:
        balance = services.balance_of(member.pk)
        affordable = [r for r in rewards if r.cost <= balance]
        if affordable:
            member.refresh_from_db()
            services.reward_redeem(membership=member, reward=affordable[-1], actor=None, version=member.version,
                                   today=today)


def _one_referral(members: list[Membership], today: dt.date) -> None:
    prospects = Party.objects.filter(kind=PartyKind.PERSON, stage=Stage.PROSPECT, erased_at__isnull=True).order_by("pk")
    for member in members[:5]:
        for prospect in prospects[:10]:
            try:
                services.referral_register(code=member.referral_code, referred=prospect, actor=None)
                return
            except DomainError:
                continue
