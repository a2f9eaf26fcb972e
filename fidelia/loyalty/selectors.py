"""Every read of loyalty for a user: members only within the customers the user may read."""
from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.loyalty.models import (
    BonusEvent,
    Club,
    FamilyRule,
    LedgerEntry,
    Membership,
    Programme,
    Reward,
)
from fidelia.parties.models import Party
from fidelia.parties.selectors import parties_for_user

LAST_ENTRIES = 10


def programme_current() -> Programme | None:
    """The programme shown and joined by default: the oldest active one."""
    return Programme.objects.filter(is_active=True).order_by("id").first() or Programme.objects.order_by("id").first()


def _is_id(value: Any) -> bool:
    return str(value).isdigit() and len(str(value)) <= 18  # beyond, no row has it (and no overflow)


def programme_selected(programme_id: Any) -> Programme | None:
    """The programme asked for by id (`?programme=`), 404 for an unknown one; the default one when
    none (or no valid id) is given."""
    if programme_id is None or not _is_id(programme_id):
        return programme_current()
    programme = Programme.objects.filter(pk=int(programme_id)).first()
    if programme is None:
        raise Http404
    return programme


def programmes_all() -> list[Programme]:
    """Every programme, the active ones first (the switcher's order)."""
    return list(Programme.objects.order_by("-is_active", "id"))


def family_rules_of(programme: Programme) -> QuerySet[FamilyRule]:
    return FamilyRule.objects.filter(programme=programme).select_related("family").order_by("family__name", "id")


def bonus_events_of(programme: Programme) -> QuerySet[BonusEvent]:
    return BonusEvent.objects.filter(programme=programme).order_by("-starts_on", "id")


def _balance() -> Coalesce:
    rows = (LedgerEntry.objects.filter(membership=OuterRef("pk")).order_by().values("membership")
            .annotate(total=Sum("points")).values("total")[:1])
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def members_for_user(user: User, *, programme: Programme | None = None) -> QuerySet[Membership]:
    """Members the user may see (their customers), each with `balance` (the ledger's sum) and tier."""
    if not policies.can_use_loyalty(user):
        return Membership.objects.none()
    qs = Membership.objects.filter(party__in=parties_for_user(user))
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.select_related("party", "tier", "programme").annotate(balance=_balance()).order_by("party__sort_name", "id")


def membership_for_party(*, party: Party, programme: Programme | None = None) -> Membership | None:
    """The party's membership (the party was already checked with `party_get_for_user`)."""
    qs = Membership.objects.filter(party=party).select_related("tier", "programme").annotate(balance=_balance())
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.order_by("id").first()


def memberships_of_party(party: Party | int) -> list[Membership]:
    """Every membership of the party (already checked with `party_get_for_user`), with `balance`,
    the default programme's first."""
    default = programme_current()
    rows = list(Membership.objects.filter(party=party).select_related("tier", "programme")
                .annotate(balance=_balance()).order_by("programme_id"))
    return sorted(rows, key=lambda m: m.programme_id != getattr(default, "pk", None))


def member_get_for_user(*, user: User, party_id: Any, programme_id: Any = None) -> Membership:
    """The membership of a customer the user may read, in programme `programme_id` (default: the
    default programme's, else the oldest); 404 otherwise (existence does not leak)."""
    if not _is_id(party_id) or (programme_id is not None and not _is_id(programme_id)):
        raise Http404
    qs = members_for_user(user).filter(party_id=party_id)
    if programme_id is not None:
        member = qs.filter(programme_id=programme_id).first()
    else:
        default = programme_current()
        member = (default and qs.filter(programme=default).first()) or qs.order_by("programme_id").first()
    if member is None:
        raise Http404
    return member


def ledger_of(membership: Membership, *, limit: int = LAST_ENTRIES) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(membership=membership).order_by("-occurred_on", "-id")[:limit])


def rewards_of(programme: Programme, *, active_only: bool = True) -> QuerySet[Reward]:
    qs = Reward.objects.filter(programme=programme)
    return qs.filter(is_active=True) if active_only else qs


def clubs_with_counts() -> QuerySet[Club]:
    from django.db.models import Count

    return Club.objects.annotate(member_count=Count("enrolments")).order_by("name")
