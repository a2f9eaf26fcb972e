"""Reads of deduplication: the parties a scan covers, the review queue, pairs and merges for a user.

A steward sees a pair only if they may change both files (`party_write_filter`); anything else
answers 404, like every read of the customer file.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core.errors import PermissionDenied
from fidelia.dedup.enums import PairStatus
from fidelia.dedup.models import DuplicateCandidate, DuplicateScan, Merge
from fidelia.parties.models import Party


def active_parties() -> QuerySet[Party]:
    """Parties a duplicate may be found among: not anonymised, not merged into another."""
    return Party.objects.filter(erased_at__isnull=True, merged_into__isnull=True)


def _writable(user: User, *, merged: bool = False) -> QuerySet[Party]:
    rule = policies.party_write_filter(user)
    if rule is None:
        return Party.objects.none()
    qs = Party.objects.filter(rule)
    return qs if merged else qs.filter(merged_into__isnull=True)


def party_for_merge(*, user: User, pk: Any, merged: bool = False) -> Party:
    """The party if `user` may change it; PermissionDenied if they may only read it; Http404 else.
    `merged` also accepts a file already merged into another (undoing a merge)."""
    if _writable(user, merged=merged).filter(pk=pk).exists():
        return Party.objects.get(pk=pk)
    rule = policies.party_read_filter(user)
    if rule is not None and Party.objects.filter(rule, pk=pk).exists():
        raise PermissionDenied(_cannot_change())
    raise Http404


def _cannot_change() -> str:
    from django.utils.translation import gettext as _

    return _("You may read this file but not change it, so you cannot merge it.")


def _visible_pairs(user: User) -> QuerySet[DuplicateCandidate]:
    if not policies.can_review_duplicates(user):
        return DuplicateCandidate.objects.none()
    writable = _writable(user)
    return DuplicateCandidate.objects.filter(
        Exists(writable.filter(pk=OuterRef("party_a_id"))), Exists(writable.filter(pk=OuterRef("party_b_id"))))


def candidate_list(*, user: User, status: str = PairStatus.OPEN, min_score: float = 0.0) -> QuerySet[DuplicateCandidate]:
    """The review queue: pairs of files the user may change, best score first."""
    qs = _visible_pairs(user).filter(status=status)
    if min_score:
        qs = qs.filter(score__gte=min_score)
    return qs.select_related("party_a", "party_b").order_by("-score", "id")


def candidate_get_for_user(*, user: User, pk: Any) -> DuplicateCandidate:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    pair = _visible_pairs(user).select_related("party_a", "party_b").filter(pk=pk).first()
    if pair is None:
        raise Http404
    return pair


def merge_list(*, user: User) -> QuerySet[Merge]:
    """Merges the user may undo (or inspect): both files writable, the loser though merged."""
    if not policies.can_review_duplicates(user):
        return Merge.objects.none()
    writable = _writable(user, merged=True)
    return (Merge.objects.filter(Exists(writable.filter(pk=OuterRef("survivor_id"))),
                                 Exists(writable.filter(pk=OuterRef("loser_id"))))
            .select_related("survivor", "loser", "merged_by", "undone_by"))


def merge_get_for_user(*, user: User, pk: Any) -> Merge:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    merge = merge_list(user=user).filter(pk=pk).first()
    if merge is None:
        raise Http404
    return merge


def scan_list(*, user: User) -> QuerySet[DuplicateScan]:
    if not policies.can_run_duplicate_scan(user):
        return DuplicateScan.objects.none()
    return DuplicateScan.objects.select_related("requested_by")


@dataclass(frozen=True)
class ComparedField:
    """One line of the side-by-side comparison: both values as shown, and whether they differ."""

    name: str
    label: str
    a: Any
    b: Any

    @property
    def differs(self) -> bool:
        return self.a != self.b


def comparison(pair: DuplicateCandidate) -> list[ComparedField]:
    """The fields a steward chooses between, with both parties' values (as displayed)."""
    from fidelia.dedup.services import merge_fields

    a, b = pair.party_a, pair.party_b
    rows = []
    for name in merge_fields(a.kind):
        field = Party._meta.get_field(name)
        rows.append(ComparedField(name=name, label=str(field.verbose_name), a=_display(a, field), b=_display(b, field)))
    return rows


def _display(party: Party, field: Any) -> Any:
    if field.choices:
        return getattr(party, f"get_{field.name}_display")()
    value = getattr(party, field.name)
    return "" if value is None else value


def contact_summary(party: Party) -> dict[str, list[str]]:
    """What moves with the file whatever the choice: contact points, counts of related rows."""
    return {
        "emails": list(party.emails.values_list("address", flat=True)),
        "phones": list(party.phones.values_list("number", flat=True)),
        "addresses": [f"{a.line1}, {a.postcode} {a.city}" for a in party.addresses.all()],
    }
