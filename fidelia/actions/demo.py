"""Demo actions to take: the daily job run for today (and two earlier mornings, so the managers'
completion rates have a history), then part of the older actions worked through the services."""
from __future__ import annotations

import datetime as dt
import random

from fidelia.actions.enums import ActionStatus
from fidelia.actions.models import Action
from fidelia.actions.services import action_complete, action_dismiss, actions_refresh
from fidelia.interactions.enums import Outcome

OUTCOMES = [Outcome.DONE, Outcome.INTERESTED, Outcome.SALE, Outcome.NO_ANSWER, Outcome.NOT_INTERESTED,
            Outcome.CALL_BACK]
NOTES = ["Client intéressé, rendez-vous à fixer en agence.", "Devis envoyé par e-mail.", "Pas joignable, message laissé.",
         "Souscription signée.", "Préfère attendre la rentrée.", ""]
DISMISS = ["Déjà équipé chez nous", "Client en litige, pas le moment", "Information erronée", "Déjà contacté par le conseiller"]


def seed_demo(*, today: dt.date) -> None:
    """Deterministic: the same base gives the same actions and the same outcomes."""
    rng = random.Random(4)
    for days_ago in (60, 30):
        actions_refresh(as_of=today - dt.timedelta(days=days_ago))
    older = list(Action.objects.filter(status=ActionStatus.OPEN, owner__isnull=False, owner__is_active=True)
                 .select_related("owner", "party").order_by("id"))
    for action in older:
        draw = rng.random()
        if draw < 0.55:
            action_complete(action=action, actor=action.owner, version=action.version,
                            outcome=rng.choice(OUTCOMES), note=rng.choice(NOTES))
        elif draw < 0.7:
            action_dismiss(action=action, actor=action.owner, version=action.version, reason=rng.choice(DISMISS))
    actions_refresh(as_of=today)
