"""Auditing reads of sensitive fields (`accounts.enums.SensitiveField`) and refused accesses.

One response that serves sensitive fields writes exactly one `READ_SENSITIVE` row: the field
*names* served, the customer (`party_id`) when the response is about one customer, or the kind of
rows (`obj_type`, e.g. "sales.transaction") when it lists many customers' rows — never the values.
Channel and request id come from the current unit of work (`fidelia.core.context`).

This module imports no domain model: callers pass ids and labels.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fidelia.privacy.audit import audit_record
from fidelia.privacy.enums import AuditAction
from fidelia.privacy.models import AuditEntry


def audit_sensitive_read(*, user: Any, fields: Iterable[str], party_id: int | None = None,
                         obj_type: str = "") -> AuditEntry | None:
    """Record that `user` was served the sensitive `fields` (names only); nothing when `fields` is empty.

    `party_id` names the customer the response is about; None for a list spanning customers, in
    which case `obj_type` says what was listed.
    """
    names = sorted(set(fields))
    if not names:
        return None
    return audit_record(action=AuditAction.READ_SENSITIVE, actor=user, object_type=obj_type,
                        object_id=party_id if obj_type else None, party_id=party_id, fields=names)


def audit_access_denied(*, user: Any, obj_type: str, obj_id: int | None = None, party_id: int | None = None,
                        fields: Iterable[str] = ()) -> AuditEntry:
    """Record that `user` asked for something that exists but that they may not read or change
    (answered 404 or 403). `fields` names the refused fields, if the refusal is about fields."""
    return audit_record(action=AuditAction.ACCESS_DENIED, actor=user, object_type=obj_type, object_id=obj_id,
                        party_id=party_id, fields=sorted(set(fields)))
