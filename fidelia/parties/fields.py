"""Field-level rights on the customer file, in one place for pages, forms, API and services.

Who may read which sensitive field is decided by `accounts.policies` (`SENSITIVE_READ_ROLES`); this
module maps those rights onto the customer file's attributes:

- `income_bracket` of a party is the `income_bracket` sensitive field;
- the birth dates (and so the ages) of household members whose role is a child are
  `children_birth_dates`;
- the customer's transactions (Mouvements tab, chart, API) are `transactions`, and their margin
  figures `margins`.

A field the user may not read is *absent*: forms drop it, templates never receive it, API
responses leave the key out. A field the user may not read may not be written either: the
services raise `FieldForbidden` (403, code `field_forbidden`) naming it, and nothing is saved.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.accounts.enums import SensitiveField
from fidelia.accounts.models import User
from fidelia.core.errors import ErrorCode, PermissionDenied
from fidelia.parties.enums import LifeEventKind, MemberRole

# Party attribute -> the sensitive field it is.
PARTY_SENSITIVE_ATTRS = {"income_bracket": SensitiveField.INCOME_BRACKET}
# Relationship fields only those who may assign customers may set (mass-assignment guard).
ASSIGNMENT_ATTRS = ("owner", "team")


class FieldForbidden(PermissionDenied):
    """A write named fields the actor may not change: refused as a whole, nothing is saved."""

    code = ErrorCode.FIELD_FORBIDDEN
    status = 403

    def __init__(self, names: Iterable[str], message: str | None = None) -> None:
        names = sorted(set(names))
        text = message or _("You may not change these fields: %(fields)s.") % {"fields": ", ".join(names)}
        per_field = message or _("You may not change this field.")
        super().__init__(text, fields={name: [per_field] for name in names})
        self.names = names


@dataclass(frozen=True)
class FieldRights:
    """The sensitive fields one user may read (and, with write access to the party, change)."""

    readable: frozenset[str]

    @property
    def income_bracket(self) -> bool:
        return SensitiveField.INCOME_BRACKET in self.readable

    @property
    def children_birth_dates(self) -> bool:
        return SensitiveField.CHILDREN_BIRTH_DATES in self.readable

    @property
    def transactions(self) -> bool:
        return SensitiveField.TRANSACTIONS in self.readable

    @property
    def margins(self) -> bool:
        return SensitiveField.MARGINS in self.readable

    def transaction_fields(self) -> list[str]:
        """The sensitive fields a list of transaction rows serves to this user."""
        if not self.transactions:
            return []
        return [SensitiveField.TRANSACTIONS, *([SensitiveField.MARGINS] if self.margins else [])]

    def hidden_party_attrs(self) -> frozenset[str]:
        """Party attributes this user must not see."""
        return frozenset(a for a, f in PARTY_SENSITIVE_ATTRS.items() if f not in self.readable)


def field_rights(user: User) -> FieldRights:
    return FieldRights(readable=policies.readable_sensitive(user))


# Life events whose date is a child's birth date.
BIRTH_EVENTS = frozenset({LifeEventKind.BIRTH, LifeEventKind.EXPECTED_BIRTH})


def is_child(member: Any) -> bool:
    return getattr(member, "role", None) == MemberRole.CHILD


def is_birth_event(event: Any) -> bool:
    """A birth (or expected birth): its date is a child's birth date, as sensitive as the member's."""
    return getattr(event, "kind", None) in BIRTH_EVENTS


def check_life_event_write(actor: User | None, *, kind: str) -> None:
    """Dating a birth is writing a child's birth date: refused without the right to read them."""
    if actor is not None and kind in BIRTH_EVENTS and not field_rights(actor).children_birth_dates:
        raise FieldForbidden(["date"])


def check_party_writes(actor: User, names: Iterable[str]) -> None:
    """Raise FieldForbidden if `names` (party attributes being written) include a sensitive field
    the actor may not read, or owner/team without the right to assign customers."""
    rights = field_rights(actor)
    names = set(names)
    refused = names & rights.hidden_party_attrs()
    if not policies.can_assign_owner(actor):
        refused |= names & set(ASSIGNMENT_ATTRS)
    if refused:
        raise FieldForbidden(refused)


def check_member_write(actor: User | None, *, role: str, birth_date: Any) -> None:
    """A child's birth date is written only by those who may read children's birth dates
    (`actor=None`: the system, e.g. imports)."""
    if (actor is not None and role == MemberRole.CHILD and birth_date is not None
            and not field_rights(actor).children_birth_dates):
        raise FieldForbidden(["birth_date"])


def served_on_file(user: User, party: Any, *, section: str = "") -> list[str]:
    """The sensitive fields a response about `party` shows: the whole 360 page, or one section.

    - income bracket: persons only (organisations have none);
    - children's birth dates: when the household lists at least one child, or the life events a
      birth (its date is the child's birth date);
    - transactions: the Transactions tab (or key) is there, even when empty;
    - margins: margin figures of at least one transaction are shown.
    Prefetched rows of `party_file` are used: no query.
    """
    rights = field_rights(user)
    served: list[str] = []
    whole = section in ("", "file")
    is_person = getattr(party, "kind", "") == "person"
    if whole and rights.income_bracket and is_person:
        served.append(SensitiveField.INCOME_BRACKET)
    if rights.children_birth_dates and is_person and (
            ((whole or section == "household") and any(is_child(m) for m in party.household_members.all()))
            or ((whole or section == "life_events") and any(is_birth_event(e) for e in party.life_events.all()))):
        served.append(SensitiveField.CHILDREN_BIRTH_DATES)
    if whole and rights.transactions and hasattr(party, "recent_transactions"):
        served.append(SensitiveField.TRANSACTIONS)
        if rights.margins and party.recent_transactions:
            served.append(SensitiveField.MARGINS)
    return served
