"""Customer facts of loyalty for action rules and segments: clubs, tier, points balance."""
from __future__ import annotations

from typing import Any

from django.db.models import F, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from fidelia.actions.facts import Fact, register_fact


def _balance() -> Coalesce:
    from fidelia.loyalty.models import LedgerEntry

    rows = (LedgerEntry.objects.filter(membership__party_id=OuterRef("pk")).order_by()
            .values("membership__party_id").annotate(total=Sum("points")).values("total")[:1])
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _tier() -> Subquery:
    from fidelia.loyalty.models import Membership

    return Subquery(Membership.objects.filter(party_id=OuterRef("pk"), tier__isnull=False)
                    .order_by("-tier__threshold").values("tier__name")[:1])


def _tiers() -> list[tuple[str, Any]]:
    from fidelia.loyalty.models import Tier

    return [(n, n) for n in Tier.objects.order_by("threshold").values_list("name", flat=True).distinct()]


def _enrolments() -> QuerySet[Any]:
    from fidelia.loyalty.models import ClubEnrolment

    return ClubEnrolment.objects.filter(party=OuterRef("pk"), club__is_active=True)


def _clubs() -> list[tuple[str, Any]]:
    from fidelia.loyalty.models import Club

    return [(str(pk), name) for pk, name in Club.objects.filter(is_active=True).values_list("pk", "name")]


def register_facts() -> None:
    register_fact(Fact("loyalty.points_balance", _("Loyalty points balance"), "number", _balance,
                       help=_("The sum of the customer's points ledgers, every programme together; 0 for a non-member.")))
    register_fact(Fact("loyalty.tier", _("Loyalty tier"), "choice", _tier, choices=_tiers,
                       help=_("The highest tier reached, in any programme, by the points earned over the last 12 months.")))
    register_fact(Fact("loyalty.club", _("Member of the club"), "choice", lambda: F("pk"), choices=_clubs,
                       related=lambda: (_enrolments(), "club_id")))
