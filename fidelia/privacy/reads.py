"""Auditing reads of sensitive fields (`accounts.enums.SensitiveField`) and refused accesses.

One response that serves sensitive fields writes exactly one `READ_SENSITIVE` row: the field
*names* served, the customer (`party_id`) when the response is about one customer, or the kind of
rows (`obj_type`, e.g. "sales.transaction") when it lists many customers' rows — never the values.
Channel and request id come from the current unit of work (`fidelia.core.context`).

This module imports no domain model: callers pass ids and labels.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fidelia.privacy.audit import audit_record
from fidelia.privacy.enums import AuditAction
from fidelia.privacy.models import AuditEntry


@dataclass(frozen=True)
class _Meta:
    label_lower: str


@dataclass(frozen=True)
class ObjectRef:
    """What `audit_record` needs of an object (`_meta.label_lower` and `pk`) without loading it,
    so reads and refusals are recorded by type and id alone."""

    label: str
    pk: int | None = None
    _meta: _Meta = field(init=False)

    def __post_init__(self) -> None:
        # the audit column holds 40 characters
        object.__setattr__(self, "_meta", _Meta(self.label[:40]))


def audit_sensitive_read(*, user: Any, fields: Iterable[str], party_id: int | None = None,
                         obj_type: str = "") -> AuditEntry | None:
    """Record that `user` was served the sensitive `fields` (names only); nothing when `fields` is empty.

    `party_id` names the customer the response is about; None for a list spanning customers, in
    which case `obj_type` says what was listed.
    """
    names = sorted(set(fields))
    if not names:
        return None
    obj = ObjectRef(obj_type, party_id) if obj_type else None
    return audit_record(action=AuditAction.READ_SENSITIVE, actor=user, obj=obj, party_id=party_id,
                        fields=names)


def audit_access_denied(*, user: Any, obj_type: str, obj_id: int | None = None, party_id: int | None = None,
                        fields: Iterable[str] = ()) -> AuditEntry:
    """Record that `user` asked for something that exists but that they may not read or change
    (answered 404 or 403). `fields` names the refused fields, if the refusal is about fields."""
    return audit_record(action=AuditAction.ACCESS_DENIED, actor=user, obj=ObjectRef(obj_type, obj_id),
                        party_id=party_id, fields=sorted(set(fields)))
