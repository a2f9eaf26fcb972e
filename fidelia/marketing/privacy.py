"""Marketing data about a data subject: campaign recipients, solicitations and responses.

Export returns all three; erasure deletes them (nothing here is under a legal duty; campaign
totals keep their counts through the other recipients, and the consent withdrawal itself lives in
the parties app). Retention: rows older than the "marketing_history" policy are deleted.
"""
from __future__ import annotations

from typing import Any

from fidelia.marketing.models import CampaignRecipient, CampaignResponse, Solicitation
from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention

RETENTION_KEY = "marketing_history"


def _plain(rows: Any) -> list[dict[str, Any]]:
    return [{k: v.isoformat() if hasattr(v, "isoformat") else str(v) if hasattr(v, "as_tuple") else v
             for k, v in r.items()} for r in rows]


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    return {
        "campaigns_received": _plain(CampaignRecipient.objects.filter(party_id=party_id).values(
            "campaign__name", "campaign__channel", "group", "status", "reason", "address", "sent_at")),
        "solicitations": _plain(Solicitation.objects.filter(party_id=party_id).values("channel", "campaign__name", "at")),
        "campaign_responses": _plain(CampaignResponse.objects.filter(recipient__party_id=party_id).values(
            "recipient__campaign__name", "kind", "at", "amount", "url")),
    }


def erase(party_id: int) -> int:
    deleted = CampaignResponse.objects.filter(recipient__party_id=party_id).delete()[0]
    deleted += Solicitation.objects.filter(party_id=party_id).delete()[0]
    return deleted + CampaignRecipient.objects.filter(party_id=party_id).delete()[0]


def history_to_delete(policy: Any, *, now: Any, apply: bool) -> RetentionOutcome:
    """Recipients (with their responses) and solicitations older than the period are deleted."""
    cutoff = policy.cutoff(now)
    old_recipients = CampaignRecipient.objects.filter(campaign__created_at__lt=cutoff)
    old_ledger = Solicitation.objects.filter(at__lt=cutoff)
    matched = old_recipients.count() + old_ledger.count()
    acted = 0
    if apply and matched:
        acted = old_recipients.delete()[0] + old_ledger.delete()[0]
    return RetentionOutcome(policy.key, matched, acted)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="marketing", export=export, erase=erase, order=160))
    register_retention(RETENTION_KEY, history_to_delete)
