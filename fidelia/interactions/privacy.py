"""Personal data held in the customer timeline, for the privacy registry."""
from __future__ import annotations

from typing import Any

from fidelia.interactions.models import Interaction
from fidelia.privacy.registry import PrivacyHooks, register


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    """Contacts with the subject; colleagues who wrote them are not named (their data, not the subject's)."""
    rows = Interaction.objects.filter(party_id=party_id).values(
        "occurred_at", "channel", "direction", "subject", "outcome", "report", "is_internal")
    return {"interactions": [{**r, "occurred_at": r["occurred_at"].isoformat()} for r in rows]}


def erase(party_id: int) -> int:
    """Keep that a contact took place (date, channel, direction, outcome), drop what was said."""
    return Interaction.objects.filter(party_id=party_id).update(subject="", report="")


def register_hooks() -> None:
    register(PrivacyHooks(app_label="interactions", export=export, erase=erase))
