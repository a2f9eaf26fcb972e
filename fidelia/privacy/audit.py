"""Writing and verifying the audit log.

Entries are chained: each digest covers the previous one. Writers serialise on the chain's
head (a row lock on PostgreSQL, the write lock on SQLite), so concurrent processes cannot fork it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from fidelia.core.context import current_channel, current_request_id
from fidelia.privacy.models import AuditEntry

GENESIS = "0" * 64
CONTENT_FIELDS = ("created_at", "actor_id", "actor_username", "action", "object_type", "object_id",
                  "party_id", "fields", "channel", "request_id")


def _content(entry: AuditEntry) -> str:
    values = {name: getattr(entry, name) for name in CONTENT_FIELDS}
    values["created_at"] = entry.created_at.isoformat()
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)


def compute_digest(previous: str, entry: AuditEntry) -> str:
    return hashlib.sha256(f"{previous}|{_content(entry)}".encode()).hexdigest()


@transaction.atomic
def audit_record(*, action: str, actor: Any = None, actor_username: str = "", obj: Any = None,
                 party_id: int | None = None, fields: list[str] | None = None, channel: str = "",
                 request_id: str = "") -> AuditEntry:
    """Append one entry to the chain. Field *names* only: an audit row never holds values.

    Channel and request id default to the current unit of work (`fidelia.core.context`).
    """
    head = AuditEntry.objects.order_by("-id")
    if connection.vendor == "postgresql":
        head = head.select_for_update()
    last = head.only("digest").first()
    entry = AuditEntry(
        created_at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_username=actor_username or getattr(actor, "username", "") or "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=getattr(obj, "pk", None),
        party_id=party_id,
        fields=sorted(fields or []),
        channel=channel or current_channel(),
        request_id=request_id or current_request_id(),
        previous_digest=last.digest if last else GENESIS,
    )
    entry.digest = compute_digest(entry.previous_digest, entry)
    entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def audit_verify(*, batch: int = 5000) -> ChainReport:
    """Recompute the chain from the first entry; report the first entry that does not fit."""
    previous, checked = GENESIS, 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=batch):
        if entry.previous_digest != previous or compute_digest(previous, entry) != entry.digest:
            return ChainReport(checked=checked, first_broken_id=entry.pk)
        previous, checked = entry.digest, checked + 1
    return ChainReport(checked=checked, first_broken_id=None)
