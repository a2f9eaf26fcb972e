"""Analytics results are personal data derived from purchases: export, erase and retention hooks.

- export: the person's latest classes and scores and their monthly snapshots;
- erase: their result and snapshot rows are deleted (they are recomputed from transactions,
  which erasure archives, so an erased person never comes back in later runs);
- retention: monthly snapshots are deleted after the `analytics_snapshots` policy (36 months by
  default, counted from the snapshot's month); the latest results are replaced at every run and
  hold only the customers who bought in the analysed period.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from fidelia.analytics.models import CustomerAnalytics, CustomerSnapshot
from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention

RESULT_FIELDS = ("revenue", "margin", "orders", "first_purchase", "last_purchase", "rank", "cumulative_share",
                 "abc_class", "recency_days", "r_score", "f_score", "m_score", "rfm_cell", "rfm_segment",
                 "frat_frequency_days", "frat_recency_days", "frat_amount_ratio", "frat_strategic_share",
                 "run__reference_date")
SNAPSHOT_FIELDS = ("period", "revenue", "orders", "abc_class", "r_score", "f_score", "m_score", "rfm_segment")


def _plain(rows: Any) -> list[dict[str, Any]]:
    return [{k: v.isoformat() if isinstance(v, dt.date) else str(v) if hasattr(v, "as_tuple") else v
             for k, v in row.items()} for row in rows]


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    """The person's analytics: latest classes and scores, and monthly snapshots."""
    return {"analytics_results": _plain(CustomerAnalytics.objects.filter(party_id=party_id).values(*RESULT_FIELDS)),
            "analytics_snapshots": _plain(CustomerSnapshot.objects.filter(party_id=party_id)
                                          .order_by("period").values(*SNAPSHOT_FIELDS))}


def erase(party_id: int) -> int:
    """Delete the person's result and snapshots; returns how many rows went."""
    return (CustomerAnalytics.objects.filter(party_id=party_id).delete()[0]
            + CustomerSnapshot.objects.filter(party_id=party_id).delete()[0])


def snapshots_to_delete(policy: Any, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    """Snapshots of months that ended before the policy's cutoff are deleted."""
    cutoff = policy.cutoff(now).date().replace(day=1)
    rows = CustomerSnapshot.objects.filter(period__lt=cutoff)
    matched = rows.count()
    acted = rows.delete()[0] if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="analytics", export=export, erase=erase, order=150))
    register_retention("analytics_snapshots", snapshots_to_delete)
