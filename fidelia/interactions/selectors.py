from __future__ import annotations

from django.db.models import QuerySet

from fidelia.accounts.models import User
from fidelia.interactions.models import Interaction
from fidelia.parties.selectors import parties_for_user


def interactions_for_user(user: User) -> QuerySet[Interaction]:
    """Interactions of the parties `user` may read."""
    return Interaction.objects.filter(party__in=parties_for_user(user).values("pk")).select_related("author", "party")
