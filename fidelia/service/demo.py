"""Demo cases: SLA policies, canned answers and about 150 requests, complaints and incidents over the
last six months, in every status, some late and escalated, with their conversations.

Deterministic (seeded); cases are opened, answered and moved through the services (replies are
recorded without sending e-mail: the demo has no mail server), so history, SLA flags and actions
are the real ones.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fidelia.accounts.enums import Role
from fidelia.accounts.models import Team, User
from fidelia.parties.enums import Stage
from fidelia.parties.models import Party
from fidelia.service.enums import (
    REFERENCE_SHARES,
    CaseCategory,
    CaseChannel,
    CaseEventKind,
    CaseKind,
    CasePriority,
    CaseStatus,
    MessageKind,
)
from fidelia.service.models import Case, CaseMessage, ReplyTemplate, SlaPolicy
from fidelia.service.services import (
    _history,
    case_add_note,
    case_change_status,
    case_create,
    sla_check,
)

SEED = 20265
CASES = 150

POLICIES = (  # priority, segment, first response h, resolution h
    ("low", "", 16, 80), ("normal", "", 8, 40), ("high", "", 4, 16), ("urgent", "", 1, 8),
    ("normal", "A", 4, 24), ("high", "A", 2, 8),
)
TEMPLATES = (
    ("Accusé de réception", "", "Bonjour {customer_name},\n\nNous avons bien reçu votre demande (dossier "
     "{case_reference}) et nous revenons vers vous au plus vite.\n\nBien cordialement,\n{agent_name}"),
    ("Erreur de facturation corrigée", CaseCategory.CORE_FAILURE, "Bonjour {customer_name},\n\nVous aviez raison : "
     "une erreur s’est glissée dans votre facture. Nous l’avons corrigée et un avoir vous sera adressé sous 48 h.\n"
     "Veuillez nous excuser pour ce désagrément.\n\n{agent_name}"),
    ("Demande de pièces", "", "Bonjour {customer_name},\n\nPour traiter votre dossier {case_reference}, pourriez-vous "
     "nous transmettre une copie de votre dernier relevé ?\n\nMerci,\n{agent_name}"),
    ("Geste commercial", CaseCategory.PRICE, "Bonjour {customer_name},\n\nNous comprenons votre mécontentement au "
     "sujet des tarifs. Nous vous proposons un geste commercial sur votre prochaine échéance.\n\n{agent_name}"),
    ("Clôture", "", "Bonjour {customer_name},\n\nSauf retour de votre part, nous considérons votre demande comme "
     "résolue. N’hésitez pas à répondre à ce message si besoin.\n\n{agent_name}"),
)
SUBJECTS: dict[str, tuple[str, ...]] = {
    CaseCategory.CORE_FAILURE: ("Erreur sur ma facture de {mois}", "Prélèvement effectué deux fois",
                                "Virement non crédité", "Carte refusée alors que le compte est approvisionné"),
    CaseCategory.FRONTLINE_CONFLICT: ("Accueil désagréable en agence", "Conseiller injoignable et peu aimable"),
    CaseCategory.PRICE: ("Augmentation des frais de tenue de compte", "Tarif de l’assurance trop élevé"),
    CaseCategory.INCONVENIENCE: ("Attente de 40 minutes au téléphone", "Carte reçue avec trois semaines de retard",
                                 "Horaires de l’agence réduits"),
    CaseCategory.POOR_COMPLAINT_RESPONSE: ("Toujours pas de réponse à ma réclamation", "Réclamation classée sans suite"),
    CaseCategory.COMPETITOR: ("Offre plus intéressante chez un concurrent", "Demande de conditions d’une autre banque"),
    CaseCategory.ETHICAL: ("Produit vendu sans explication des risques", "Démarchage insistant"),
    CaseCategory.INVOLUNTARY_SWITCH: ("Déménagement à l’étranger : clôture", "Mutation : transfert vers une autre ville"),
    CaseCategory.INFORMATION: ("Question sur mon contrat d’assurance", "Plafond de ma carte bancaire",
                               "Comment activer les paiements sans contact ?"),
    CaseCategory.CHANGE: ("Changement d’adresse", "Modifier la date de prélèvement", "Ajouter un bénéficiaire"),
    CaseCategory.TECHNICAL: ("Application mobile : connexion impossible", "Code de validation non reçu par SMS"),
}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


def _opening(rng: random.Random, today: dt.date) -> dt.datetime:
    """A weekday business-hour moment in the last six months (recent months a little busier)."""
    while True:
        recent = rng.random() < 0.12  # the last days' cases, still waiting in the queues
        day = today - dt.timedelta(days=rng.randint(0, 3) if recent else int(rng.triangular(0, 182, 20)))
        if day.weekday() < 5:
            break
    at = dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randint(0, 59)))
    return min(timezone.make_aware(at), timezone.now() - dt.timedelta(hours=1))


def _category(rng: random.Random, kind: str) -> str:
    if kind == CaseKind.COMPLAINT:
        cats, weights = zip(*REFERENCE_SHARES.items(), strict=True)
        return rng.choices(cats, weights=weights)[0]
    if kind == CaseKind.INCIDENT:
        return rng.choice([CaseCategory.TECHNICAL, CaseCategory.CORE_FAILURE])
    return rng.choice([CaseCategory.INFORMATION, CaseCategory.INFORMATION, CaseCategory.CHANGE])


def seed_demo(*, today: dt.date) -> None:
    rng = random.Random(SEED)
    for priority, segment, first, resolution in POLICIES:
        SlaPolicy.objects.get_or_create(priority=priority, segment=segment, is_active=True, defaults={
            "name": f"{CasePriority(priority).label}{' · A' if segment else ''}",
            "first_response_hours": Decimal(first), "resolution_hours": Decimal(resolution)})
    for name, category, body in TEMPLATES:
        ReplyTemplate.objects.get_or_create(name=name, defaults={"category": category, "body": body})
    agents = list(User.objects.filter(role=Role.SERVICE_AGENT, is_active=True).order_by("id"))
    if not agents:
        return
    queue = Team.objects.filter(name="Centre de relation client").first() or agents[0].team
    parties = list(Party.objects.filter(stage=Stage.CUSTOMER, erased_at__isnull=True, merged_into__isnull=True)
                   .exclude(email="").order_by("id").values_list("pk", flat=True))
    if not parties:
        return
    chosen = Party.objects.in_bulk(rng.sample(parties, min(len(parties), CASES)))
    for i, party in enumerate(chosen.values()):
        with transaction.atomic():
            _one_case(rng, today, party, agents, queue, i)
    sla_check()


def _one_case(rng: random.Random, today: dt.date, party: Party, agents: list[User], queue: Team | None, i: int) -> None:
    kind = rng.choices([CaseKind.COMPLAINT, CaseKind.REQUEST, CaseKind.INCIDENT], weights=[40, 45, 15])[0]
    category = _category(rng, kind)
    opened = _opening(rng, today)
    subject = rng.choice(SUBJECTS[category]).format(mois=MONTHS[(opened.month - 2) % 12])
    priority = rng.choices(["low", "normal", "high", "urgent"],
                           weights=[10, 50, 30, 10] if kind == CaseKind.COMPLAINT else [30, 55, 12, 3])[0]
    agent = rng.choice(agents)
    age_h = (timezone.now() - opened).total_seconds() / 3600
    # only the last days' cases still wait in the unassigned queue
    owner = agent if age_h > 72 or rng.random() < 0.6 else None
    case = case_create(actor=agent, party=party, subject=subject, kind=kind, category=category, priority=priority,
                       channel=rng.choices(list(CaseChannel.values), weights=[45, 30, 12, 5, 6, 2])[0],
                       description=f"{subject}. Le client souhaite une réponse rapide.", owner=owner, team=queue,
                       opened_at=opened)
    # most cases are answered within hours; a few far too late
    first_h = rng.choice([rng.uniform(0.2, 3), rng.uniform(0.5, 8), rng.uniform(2, 30), rng.uniform(20, 90)])
    if first_h < age_h and owner is not None:
        _answer(case, owner, opened + dt.timedelta(hours=first_h), party)
        case = case_change_status(case=case, status=CaseStatus.OPEN, actor=owner, at=case.first_response_at)
    if age_h < 24 * 14 and rng.random() < 0.5:
        return  # recent work still in progress
    # complaints solved fast keep their customers more often: resolution speed varies widely
    resolve_h = first_h + rng.choice([rng.uniform(1, 20), rng.uniform(10, 70), rng.uniform(48, 170),
                                      rng.uniform(150, 500)])
    if resolve_h < age_h and owner is not None and rng.random() < 0.92:
        when = opened + dt.timedelta(hours=resolve_h)
        case = case_change_status(case=case, status=CaseStatus.RESOLVED, actor=owner, at=when, ask_satisfaction=False)
        if kind == CaseKind.COMPLAINT:
            _maybe_lost(rng, party, when, resolve_h, today)
        if rng.random() < 0.25 and 3 < (timezone.now() - when).days < 20:
            case = case_change_status(case=case, status=CaseStatus.REOPENED, actor=owner,
                                      at=when + dt.timedelta(days=2), ask_satisfaction=False)
        elif (timezone.now() - when).days > 10:
            case_change_status(case=case, status=CaseStatus.CLOSED, actor=owner, at=when + dt.timedelta(days=7))
    elif owner is not None and case.first_response_at and rng.random() < 0.3:
        case_change_status(case=case, status=CaseStatus.WAITING, actor=owner,
                           at=case.first_response_at + dt.timedelta(minutes=1))
    if i % 9 == 0:
        case_add_note(case=case, body=rng.choice(["Client fidèle depuis 12 ans, à ménager.",
                                                  "Vérifié avec le service comptable : erreur confirmée.",
                                                  "Proposer un rendez-vous avec le conseiller."]), actor=agents[0])


def _answer(case: Case, agent: User, when: dt.datetime, party: Party) -> None:
    """A reply as history: recorded like `case_reply` does, without sending (the demo has no SMTP)."""
    CaseMessage.objects.create(case=case, kind=MessageKind.INBOUND, from_address=party.email,
                               subject=case.subject, body_text=case.description, sent_at=case.opened_at)
    CaseMessage.objects.create(case=case, kind=MessageKind.OUTBOUND, author=agent, to_address=party.email,
                               from_address="service@fidelia.example", subject=f"[{case.reference}] Re: {case.subject}",
                               body_text=f"Bonjour {party.first_name or party.display_name},\n\nNous traitons votre "
                                         f"demande et revenons vers vous rapidement.\n\n{agent.get_full_name()}",
                               sent_at=when)
    late = bool(case.first_response_due and when > case.first_response_due)
    Case.objects.filter(pk=case.pk).update(first_response_at=when, first_response_breached=late)
    case.first_response_at, case.first_response_breached = when, late
    _history(case, actor=agent, kind=CaseEventKind.REPLY, at=when, detail=case.subject)


# Share of customers who leave within six months after a complaint, by resolution time (hours): the
# course's "95 % stay when it is solved quickly" — slow answers lose far more customers.
LOSS_BY_SPEED = ((24, 0.03), (72, 0.08), (168, 0.18), (float("inf"), 0.40))


def _maybe_lost(rng: random.Random, party: Party, resolved: dt.datetime, hours: float, today: dt.date) -> None:
    """Cancel one of the customer's active contracts a few weeks after a complaint, more often when the
    complaint took long to resolve (through the sales service, as an adviser would record it)."""
    from fidelia.sales.enums import ContractStatus
    from fidelia.sales.models import Contract
    from fidelia.sales.services import contract_update

    chance = next(p for limit, p in LOSS_BY_SPEED if hours < limit)
    if rng.random() >= chance:
        return
    end = resolved.date() + dt.timedelta(days=rng.randint(15, 150))
    contract = Contract.objects.filter(party=party, status=ContractStatus.ACTIVE).order_by("id").first()
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
    if end > today or contract is None or admin is None:
        return
    contract_update(contract=contract, actor=admin, version=contract.version, status=ContractStatus.CANCELLED,
                    end_date=max(end, contract.start_date))
