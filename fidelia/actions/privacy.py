"""Actions to take hold personal data about the customer (why to call them, the outcome of the call).

Export returns them with the party; erasure deletes them; closed actions (done, dismissed, expired)
are deleted 24 months after they were closed (the "closed_actions" line of the retention register,
seeded by migration 0003).
"""
from __future__ import annotations

from typing import Any

from fidelia.actions.enums import ActionStatus
from fidelia.actions.models import Action
from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention

RETENTION_KEY = "closed_actions"
CLOSED = (ActionStatus.DONE, ActionStatus.DISMISSED, ActionStatus.EXPIRED)


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    """The subject's actions, in plain JSON values."""
    rows = Action.objects.filter(party_id=party_id).order_by("id").values(
        "kind", "title", "reason", "source", "status", "due_on", "valid_until", "snoozed_until", "outcome",
        "dismiss_reason", "created_at", "closed_at")
    return {"actions_to_take": [{k: _plain(v) for k, v in row.items()} for row in rows]}


def erase(party_id: int) -> int:
    return Action.objects.filter(party_id=party_id).delete()[0]


def closed_actions_to_delete(policy: Any, *, now: Any, apply: bool) -> RetentionOutcome:
    """Actions closed before the policy's cutoff are deleted; open ones are never touched."""
    rows = Action.objects.filter(status__in=CLOSED, closed_at__lt=policy.cutoff(now))
    matched = rows.count()
    acted = rows.delete()[0] if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="actions", export=export, erase=erase, order=400))
    register_retention(RETENTION_KEY, closed_actions_to_delete)
