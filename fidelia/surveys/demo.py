"""Demo satisfaction: an NPS survey and a CSAT survey after resolved cases, about 200 answers spread
over the last six months, through the real services (e-mails captured in memory, not sent)."""
from __future__ import annotations

import datetime as dt
import random

from django.apps import apps
from django.core import mail
from django.test.utils import override_settings
from django.utils import timezone

from fidelia.accounts.models import User
from fidelia.parties.models import Party
from fidelia.surveys import services
from fidelia.surveys.models import Survey, SurveyInvitation, SurveyResponse

SEED = 7070
NPS_COMMENTS = {
    "detractor": ["Frais trop élevés pour le service rendu.", "Conseiller jamais joignable.",
                  "Ma réclamation a mis deux mois à être traitée.", "L’application plante souvent."],
    "passive": ["Correct, sans plus.", "Bon accueil mais délais un peu longs.", "Tarifs dans la moyenne."],
    "promoter": ["Conseillère très réactive, merci !", "Application simple et efficace.",
                 "Toujours de bon conseil depuis 15 ans.", "Sinistre indemnisé rapidement."],
}
CSAT_COMMENTS = ["Réponse rapide et claire.", "Il a fallu relancer deux fois.", "Merci pour votre aide.",
                 "Problème résolu dès le premier appel.", ""]


def _nps_score(rng: random.Random) -> int:
    return rng.choices(range(11), weights=[1, 1, 1, 2, 2, 3, 5, 9, 14, 16, 12])[0]


def _csat_score(rng: random.Random) -> int:
    return rng.choices(range(1, 6), weights=[4, 5, 10, 35, 46])[0]


def _send(survey: Survey, parties: list[Party], actor: User, reference: str = "") -> list[str]:
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        services.survey_send(survey=survey, parties=parties, actor=actor, reference=reference)
        return [services.TOKEN_IN_LINK.search(m.body).group(1) for m in mail.outbox]


def _backdate(token: str, when: dt.datetime) -> None:
    invitation = SurveyInvitation.objects.get(token_hash=services.hash_token(token))
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        created_at=when - dt.timedelta(days=2), sent_at=when - dt.timedelta(days=2), expires_at=when + dt.timedelta(days=28),
        answered_at=when if invitation.answered_at else None)
    SurveyResponse.objects.filter(invitation=invitation).update(answered_at=when)


def _answer(survey: Survey, token: str, score: int, comment: str) -> None:
    first, second = list(survey.questions.all())[:2]
    services.response_submit(token=token, answers={str(first.pk): str(score), str(second.pk): comment})


def seed_demo(*, today: dt.date) -> None:
    rng = random.Random(SEED)
    actor = User.objects.filter(username="marketing").first() or User.objects.filter(role="admin").first()
    if actor is None or Survey.objects.exists():
        return
    nps = services.survey_create(actor=actor, name="Baromètre NPS 2026", kind="nps", status="active",
                                 title="Recommanderiez-vous notre banque ?",
                                 intro="Deux questions, moins d’une minute : votre avis nous aide à mieux vous servir.")
    csat = services.survey_create(actor=actor, name="Satisfaction après réclamation", kind="csat", status="active",
                                  title="Votre demande a été traitée : qu’en avez-vous pensé ?")
    services.survey_create(actor=actor, name="CSAT support (English)", kind="csat", language="en", status="draft",
                           title="How did we handle your request?")
    now = timezone.now()
    customers = list(Party.objects.filter(stage="customer", erased_at__isnull=True).exclude(email="").order_by("pk"))
    panel = rng.sample(customers, min(len(customers), 260))
    for token in _send(nps, panel, actor, reference="barometre-2026"):
        if rng.random() < 0.65:  # about two in three answer
            score = _nps_score(rng)
            band = "detractor" if score <= 6 else "passive" if score <= 8 else "promoter"
            _answer(nps, token, score, rng.choice(NPS_COMMENTS[band]) if rng.random() < 0.6 else "")
        _backdate(token, now - dt.timedelta(days=rng.randrange(1, 180), hours=rng.randrange(0, 10)))
    Case = apps.get_model("service", "Case") if apps.is_installed("fidelia.service") else None
    resolved = (list(Case.objects.filter(resolved_at__isnull=False, party__isnull=False)
                     .select_related("party").order_by("pk")[:150]) if Case else [])
    for case in resolved:
        tokens = _send(csat, [case.party], actor, reference=f"case:{case.pk}")
        if tokens and rng.random() < 0.5:
            _answer(csat, tokens[0], _csat_score(rng), rng.choice(CSAT_COMMENTS))
        for token in tokens:
            _backdate(token, min(now, case.resolved_at + dt.timedelta(days=rng.randrange(0, 3), hours=2)))
    # Calls to the service line are surveyed too, so the CSAT curve has about 180 invitations a run.
    for number, party in enumerate(rng.sample(customers, max(0, min(len(customers), 180 - len(resolved)))), 1):
        for token in _send(csat, [party], actor, reference=f"appel:{number}"):
            if rng.random() < 0.6:
                _answer(csat, token, _csat_score(rng), rng.choice(CSAT_COMMENTS))
            _backdate(token, now - dt.timedelta(days=rng.randrange(1, 180), hours=rng.randrange(0, 10)))
