"""Demo sales force: ~60 leads, ~120 opportunities spread over the stages and the reps with their
stage history over the last months, and ~40 quotes (drafts, accepted ones that became orders, refused
and expired ones). Deterministic (seeded), through the services, French content."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone
from faker import Faker

from fidelia.accounts.enums import Role
from fidelia.accounts.models import User
from fidelia.parties.models import Party
from fidelia.sales import services
from fidelia.sales.enums import LeadSource, LeadStatus, StageOutcome
from fidelia.sales.models import LostReason, Opportunity, PipelineStage, Product

SEED = 20264
LEADS, OPPORTUNITIES, QUOTES = 60, 120, 40
# product code -> (deal title, typical amount range €)
DEALS = {
    "CRE-IMM": ("Prêt immobilier résidence principale", (120_000, 350_000)),
    "CRE-AUT": ("Financement véhicule", (8_000, 35_000)),
    "CRE-TRV": ("Prêt travaux rénovation énergétique", (10_000, 60_000)),
    "EPA-AVI": ("Assurance-vie : placement d’un héritage", (20_000, 150_000)),
    "EPA-PEA": ("Ouverture PEA", (5_000, 40_000)),
    "EPA-PEL": ("Plan épargne logement", (1_000, 10_000)),
    "ASS-HAB": ("Assurance habitation nouveau logement", (200, 900)),
    "ASS-AUT": ("Assurance auto", (400, 1_500)),
    "ASS-PRE": ("Prévoyance famille", (300, 2_000)),
    "SRV-CON": ("Bilan patrimonial", (500, 3_000)),
    "CPT-PRO": ("Équipement compte professionnel", (300, 2_500)),
}
NEXT_STEPS = ("Rappeler pour les justificatifs", "Envoyer la simulation", "RDV en agence", "Relancer après réflexion",
              "Présenter l’offre au conjoint", "Signature chez le notaire", "Attendre l’accord de principe")
MESSAGES = ("Je souhaiterais une simulation de prêt.", "Pouvez-vous me rappeler au sujet d’une assurance-vie ?",
            "Nous emménageons le mois prochain, il nous faut une assurance habitation.",
            "Je crée mon entreprise et cherche une banque.", "", "Intéressé par vos offres d’épargne.")
EVENTS = ("Salon de l’immobilier de Lyon", "Forum des entrepreneurs", "Journée portes ouvertes agence",
          "Webinaire épargne retraite")


def _when(today: dt.date, days_ago: int, rng: random.Random) -> dt.datetime:
    day = today - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour=rng.randint(8, 18), minute=rng.choice((0, 15, 30, 45)))))


def seed_demo(*, today: dt.date) -> None:
    rng = random.Random(SEED)
    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    reps = list(User.objects.filter(role=Role.SALES_REP, is_active=True, team__isnull=False).order_by("id")[:12])
    products = {p.code: p for p in Product.objects.filter(code__in=DEALS, is_active=True)}
    if not reps or not products:
        return
    _seed_leads(rng, fake, reps, products, today)
    opportunities = _seed_opportunities(rng, reps, products, today)
    _seed_quotes(rng, opportunities, today)
    services.quotes_expire(today=today)


def _seed_leads(rng: random.Random, fake: Faker, reps: list[User], products: dict[str, Product], today: dt.date) -> None:
    sources = list(LeadSource.values)
    for i in range(LEADS):
        source = rng.choice(sources)
        owner = None if source == LeadSource.WEB_FORM and i % 3 == 0 else rng.choice(reps)
        first, last = fake.first_name(), fake.last_name()
        product = rng.choice(list(products.values()))
        detail = {"event": rng.choice(EVENTS), "campaign": "Campagne épargne printemps",
                  "referral": f"Recommandé par {fake.name()}", "purchased_file": "Fichier entreprises CCI"}.get(source, "")
        lead = services.lead_create(
            actor=None, source=source, owner=owner, team=owner.team if owner else None, first_name=first, last_name=last,
            email=f"{first}.{last}@exemple.fr".lower().replace(" ", ""), phone=f"06{rng.randrange(10**7, 10**8)}",
            city=fake.city(), company=fake.company() if source == LeadSource.PURCHASED_FILE else "",
            source_detail=detail, interest=product, estimated_amount=Decimal(rng.randrange(*DEALS[product.code][1])),
            message=rng.choice(MESSAGES), status=rng.choice([LeadStatus.NEW, LeadStatus.NEW, LeadStatus.CONTACTED,
                                                             LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED]),
            last_contact_at=_when(today, rng.randrange(0, 90), rng),
            consent_granted=source == LeadSource.WEB_FORM,
            consent_wording="J’accepte d’être recontacté(e) au sujet d’offres adaptées à ma demande."
            if source == LeadSource.WEB_FORM else "",
            consent_at=_when(today, rng.randrange(0, 90), rng) if source == LeadSource.WEB_FORM else None,
            consent_proof={"ip": f"203.0.113.{rng.randrange(1, 254)}", "page": "https://www.exemple.fr/contact"}
            if source == LeadSource.WEB_FORM else {},
        )
        if lead.status == LeadStatus.DISQUALIFIED:
            services.Lead.objects.filter(pk=lead.pk).update(disqualified_reason="Projet hors de notre zone")


def _seed_opportunities(rng: random.Random, reps: list[User], products: dict[str, Product],
                        today: dt.date) -> list[Opportunity]:
    stages = list(PipelineStage.objects.filter(is_active=True).order_by("position"))
    open_stages = [s for s in stages if s.outcome == StageOutcome.OPEN]
    won = next(s for s in stages if s.outcome == StageOutcome.WON)
    lost = next(s for s in stages if s.outcome == StageOutcome.LOST)
    reasons = list(LostReason.objects.all())
    created: list[Opportunity] = []
    parties_by_rep = {rep.pk: list(Party.objects.filter(owner=rep, erased_at__isnull=True).order_by("id")[:80]) for rep in reps}
    for i in range(OPPORTUNITIES):
        rep = reps[i % len(reps)]
        if not parties_by_rep[rep.pk]:
            continue
        party = rng.choice(parties_by_rep[rep.pk])
        code = rng.choice(list(products))
        title, (low, high) = DEALS[code]
        opened_days = rng.randrange(5, 170)
        # where the deal ends up: a third closed (won twice as often as lost), the rest spread on open stages
        roll = rng.random()
        final = won if roll < 0.22 else lost if roll < 0.33 else rng.choice(open_stages)
        path = [s for s in open_stages if s.position <= (final.position if final.outcome == StageOutcome.OPEN
                                                         else rng.choice(open_stages).position)]
        opened = _when(today, opened_days, rng)
        opp = services.opportunity_create(
            party=party, actor=rep, name=title, amount=Decimal(rng.randrange(low, high)), stage=path[0],
            expected_close=today + dt.timedelta(days=rng.randrange(-20, 150)),
            next_step=rng.choice(NEXT_STEPS), next_step_on=today + dt.timedelta(days=rng.randrange(1, 21)),
            products=[(products[code], 1)], opened_at=opened)
        steps = path[1:] + ([final] if final.outcome != StageOutcome.OPEN else [])
        for n, stage in enumerate(steps, start=1):
            at = opened + dt.timedelta(days=opened_days * n / (len(steps) + 1))
            opp = services.opportunity_move_stage(opportunity=opp, stage=stage, actor=rep, version=opp.version,
                                                  lost_reason=rng.choice(reasons) if stage == lost else None, at=at)
        created.append(opp)
    return created


def _seed_quotes(rng: random.Random, opportunities: list[Opportunity], today: dt.date) -> None:
    candidates = [o for o in opportunities if o.stage.code in ("proposal", "negotiation")]
    rng.shuffle(candidates)
    for n, opp in enumerate(candidates[:QUOTES]):
        line = opp.lines.first()
        if line is None:
            continue
        issued = today - dt.timedelta(days=rng.randrange(0, 45))
        quote = services.quote_create(
            party=opp.party, actor=opp.owner, opportunity=opp, issued_on=issued, valid_until=issued + dt.timedelta(days=30),
            notes="Offre valable sous réserve d’acceptation du dossier.",
            lines=[services.QuoteLineInput(product=line.product, quantity=1, unit_price=opp.amount,
                                           discount_rate=Decimal(rng.choice((0, 0, 5, 10))),
                                           vat_rate=Decimal("0") if line.product.code.startswith(("CRE", "EPA")) else Decimal("20"))])
        if n % 3 == 0 and quote.valid_until >= today:
            services.quote_accept(quote=quote, actor=opp.owner, version=quote.version, on=min(today, issued + dt.timedelta(days=7)))
        elif n % 5 == 1:
            services.quote_refuse(quote=quote, actor=opp.owner, version=quote.version)
