"""Customer value data about a data subject, for the privacy registry and the retention register.

`CustomerValue` (scores computed about the person) and `RetentionEffort` (gifts and discounts given
to the person) are personal data: exported, erased, and kept as the register's lines
"clv_customer_value" and "clv_retention_effort" say (seeded by migration 0002).
"""
from __future__ import annotations

from typing import Any

from fidelia.clv.models import CustomerValue, RetentionEffort
from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention


def _plain(rows: Any) -> list[dict[str, Any]]:
    return [{k: v.isoformat() if hasattr(v, "isoformat") else str(v) if hasattr(v, "as_tuple") else v
             for k, v in r.items()} for r in rows]


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    """The subject's computed value and the retention efforts recorded on them, in plain JSON values."""
    return {
        "customer_value": _plain(CustomerValue.objects.filter(party_id=party_id).values(
            "frequency", "recency_weeks", "age_weeks", "mean_spend", "p_alive", "expected_purchases_52w",
            "expected_spend", "clv_12m", "clv_horizon", "retention_effort", "capital", "computed_at")),
        "retention_efforts": _plain(RetentionEffort.objects.filter(party_id=party_id).values(
            "kind", "amount", "date", "note", "created_at")),
    }


def erase(party_id: int) -> int:
    """Delete everything this app holds on the subject; returns the number of rows deleted."""
    return sum(model.objects.filter(party_id=party_id).delete()[0] for model in (CustomerValue, RetentionEffort))


def efforts_to_delete(policy: Any, *, now: Any, apply: bool) -> RetentionOutcome:
    """Efforts dated before the policy's cut-off are deleted."""
    rows = RetentionEffort.objects.filter(date__lt=policy.cutoff(now).date())
    matched = rows.count()
    acted = rows.delete()[0] if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def values_to_delete(policy: Any, *, now: Any, apply: bool) -> RetentionOutcome:
    """Values not recomputed since the policy's cut-off (customer no longer scored) are deleted."""
    rows = CustomerValue.objects.filter(computed_at__lt=policy.cutoff(now))
    matched = rows.count()
    acted = rows.delete()[0] if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="clv", export=export, erase=erase, order=260))
    register_retention("clv_retention_effort", efforts_to_delete)
    register_retention("clv_customer_value", values_to_delete)
