"""Loyalty data about a data subject: memberships, the points ledger, redemptions, referrals, clubs.

Export returns them without any other person's identity (a referral shows its status, not the other
side). Erasure deletes them: points are a commercial benefit, not an accounting record (the purchases
stay in sales). The "loyalty_members" policy of the register deletes memberships without any ledger
movement for 36 months, with their ledger.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Max, Q

from fidelia.loyalty.models import ClubEnrolment, LedgerEntry, Membership, Redemption, Referral
from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention

RETENTION_KEY = "loyalty_members"


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _rows(qs: Any, *fields: str) -> list[dict[str, Any]]:
    return [{k: _iso(v) for k, v in row.items()} for row in qs.values(*fields)]


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    members = Membership.objects.filter(party_id=party_id).order_by("id")
    return {
        "loyalty_memberships": _rows(members, "programme__name", "joined_on", "referral_code", "tier__name"),
        "loyalty_ledger": _rows(LedgerEntry.objects.filter(membership__party_id=party_id).order_by("occurred_on", "id"),
                                "membership__programme__name", "kind", "points", "occurred_on", "label"),
        "loyalty_redemptions": _rows(Redemption.objects.filter(membership__party_id=party_id).order_by("id"),
                                     "reward__name", "points", "created_at"),
        "loyalty_referrals_made": _rows(Referral.objects.filter(referrer__party_id=party_id).order_by("id"),
                                        "status", "created_at", "rewarded_on"),
        "loyalty_referred_by": _rows(Referral.objects.filter(referred_id=party_id), "status", "created_at",
                                     "rewarded_on"),
        "loyalty_clubs": _rows(ClubEnrolment.objects.filter(party_id=party_id).order_by("id"), "club__name",
                               "consent_at"),
    }


def erase(party_id: int) -> int:
    """Delete the subject's memberships (with their ledger, redemptions and referrals made), the referral
    that brought them and their club enrolments."""
    count = LedgerEntry.objects.filter(membership__party_id=party_id).count()
    count += Redemption.objects.filter(membership__party_id=party_id).count()
    count += Referral.objects.filter(Q(referrer__party_id=party_id) | Q(referred_id=party_id)).count()
    Referral.objects.filter(referred_id=party_id).delete()
    count += Membership.objects.filter(party_id=party_id).delete()[1].get("loyalty.Membership", 0)
    count += ClubEnrolment.objects.filter(party_id=party_id).delete()[0]
    return count


def members_to_delete(policy: Any, *, now: Any, apply: bool) -> RetentionOutcome:
    """Memberships whose last ledger movement (or enrolment, if none) is before the cutoff."""
    cutoff = policy.cutoff(now)
    rows = Membership.objects.annotate(last=Max("entries__occurred_on")).filter(
        Q(last__lt=cutoff.date()) | Q(last__isnull=True, joined_on__lt=cutoff.date()))
    ids = list(rows.values_list("pk", flat=True))
    if apply and ids:
        Membership.objects.filter(pk__in=ids).delete()
    return RetentionOutcome(policy.key, len(ids), len(ids) if apply else 0)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="loyalty", export=export, erase=erase, order=170))
    register_retention(RETENTION_KEY, members_to_delete)
