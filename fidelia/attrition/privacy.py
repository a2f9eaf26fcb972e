"""Attrition data about a data subject, for the privacy registry and the retention register.

The risk score and its reasons are derived from purchases and signals and recomputed every night;
lost-customer records are statements made by users. Export returns both; erasure deletes both
(nothing here is under a legal duty to keep).
"""
from __future__ import annotations

from typing import Any

from fidelia.attrition.models import AttritionRecord, AttritionRisk
from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention


def _plain(rows: Any) -> list[dict[str, Any]]:
    return [{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in r.items()} for r in rows]


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    """The subject's risk (with reasons and loyalty type) and lost-customer records, in plain JSON values."""
    return {
        "attrition_risk": _plain(AttritionRisk.objects.filter(party_id=party_id).values(
            "risk", "reasons", "loyalty_type", "attitude", "repurchase_rate", "computed_at")),
        "attrition_records": _plain(AttritionRecord.objects.filter(party_id=party_id).values(
            "date", "type", "suggested_type", "reason", "note", "status", "signals", "created_at")),
    }


def erase(party_id: int) -> int:
    """Delete everything this app holds on the subject; returns the number of rows deleted."""
    return sum(model.objects.filter(party_id=party_id).delete()[0] for model in (AttritionRisk, AttritionRecord))


def risks_to_delete(policy: Any, *, now: Any, apply: bool) -> RetentionOutcome:
    """Scores not refreshed for longer than the policy (the customer left the active base) are deleted."""
    rows = AttritionRisk.objects.filter(computed_at__lt=policy.cutoff(now))
    matched = rows.count()
    acted = rows.delete()[0] if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def records_to_delete(policy: Any, *, now: Any, apply: bool) -> RetentionOutcome:
    """Lost-customer records whose loss is older than the policy's period are deleted."""
    rows = AttritionRecord.objects.filter(date__lt=policy.cutoff(now).date())
    matched = rows.count()
    acted = rows.delete()[0] if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="attrition", export=export, erase=erase, order=270))
    register_retention("attrition_risk", risks_to_delete)
    register_retention("attrition_records", records_to_delete)
