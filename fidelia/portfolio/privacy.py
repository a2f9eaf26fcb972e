"""Portfolio data about a data subject, for the privacy registry and the retention register.

Entered scores and purchase potentials are statements about the customer made by a rep; positions
and RADAR rows are derived from them and from purchases. Export returns all four; erasure deletes
them (nothing here is under a legal duty to keep, and derived results can be recomputed without the
person). The history of monthly positions is kept as long as the "portfolio_history" policy of the
register says (the hook below; the policy itself is seeded in the privacy app's register).
"""
from __future__ import annotations

from typing import Any

from fidelia.portfolio.models import (
    EnteredScore,
    PortfolioPosition,
    PurchasePotential,
    RadarPosition,
)
from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention

RETENTION_KEY = "portfolio_history"


def _plain(rows: Any) -> list[dict[str, Any]]:
    return [{k: v.isoformat() if hasattr(v, "isoformat") else str(v) if hasattr(v, "as_tuple") else v
             for k, v in r.items()} for r in rows]


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    """The subject's scores, potentials and computed positions, in plain JSON values."""
    return {
        "portfolio_scores": _plain(EnteredScore.objects.filter(party_id=party_id).order_by("criterion_id").values(
            "criterion__grid__name", "criterion__name", "score", "entered_at")),
        "purchase_potentials": _plain(PurchasePotential.objects.filter(party_id=party_id).values(
            "family__name", "year", "amount", "entered_at")),
        "portfolio_positions": _plain(PortfolioPosition.objects.filter(party_id=party_id).values(
            "grid__name", "period", "potential", "performance", "quadrant", "strategy", "policy")),
        "radar": _plain(RadarPosition.objects.filter(party_id=party_id).values(
            "year", "our_sales", "purchase_potential", "tcc", "strategy")),
    }


def erase(party_id: int) -> int:
    """Delete everything this app holds on the subject; returns the number of rows deleted."""
    return sum(model.objects.filter(party_id=party_id).delete()[0]
               for model in (EnteredScore, PurchasePotential, PortfolioPosition, RadarPosition))


def positions_to_delete(policy: Any, *, now: Any, apply: bool) -> RetentionOutcome:
    """Monthly positions (trajectories) older than the policy's period are deleted."""
    rows = PortfolioPosition.objects.filter(period__lt=policy.cutoff(now).date())
    matched = rows.count()
    acted = rows.delete()[0] if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="portfolio", export=export, erase=erase, order=150))
    register_retention(RETENTION_KEY, positions_to_delete)
