"""Demo data of attrition: a few lost customers with their reasons (French notes), the suggestions of
the daily check, then the risk model trained and every active customer scored."""
from __future__ import annotations

import datetime as dt
import random

from django.db.models import Max

from fidelia.attrition.enums import LossReason
from fidelia.attrition.services import model_run, record_create, suggest_losses
from fidelia.parties.models import Party

SEED = 20267
NOTES = {
    LossReason.COMPLAINT: ["Réclamation sur un prélèvement en double jamais régularisée",
                           "Mécontent du délai de traitement de son sinistre"],
    LossReason.PRICE: ["Trouve nos frais de tenue de compte trop élevés", "Tarif jugé trop cher au renouvellement"],
    LossReason.COMPETITOR: ["Parti chez une banque en ligne", "A suivi son conseiller chez un concurrent"],
    LossReason.OFFER_GAP: ["Cherchait une offre pour son activité professionnelle que nous n’avons pas"],
    LossReason.EVENT: ["Panne du site pendant trois jours en mars", "Suite à l’article de presse sur les frais cachés"],
    LossReason.RELOCATION: ["Départ à l’étranger (Canada)", "Déménagement dans une région sans agence"],
    LossReason.LIFE_EVENT: ["Décès du titulaire, succession réglée", "Départ en retraite, regroupe ses comptes"],
    LossReason.OTHER: ["Aucune explication donnée"],
}


def seed_demo(*, today: dt.date) -> None:
    rng = random.Random(SEED)
    # customers whose last purchase is 13 to 30 months old: they stopped buying; a dozen get a record
    gone = list(Party.objects.annotate(last=Max("transactions__date"))
                .filter(last__lt=today - dt.timedelta(days=400), last__gt=today - dt.timedelta(days=900))
                .order_by("pk").values_list("pk", "last", "owner_id"))
    reasons = list(NOTES)
    for pk, last, _owner in rng.sample(gone, min(14, len(gone))):
        party = Party.objects.select_related("owner").get(pk=pk)
        reason = rng.choice(reasons)
        record_create(party=party, date=last + dt.timedelta(days=rng.randint(30, 200)), reason=reason,
                      note=rng.choice(NOTES[reason]), actor=party.owner, today=today)
    suggest_losses(today=today)
    model_run(today=today)
