"""Writing, verifying and purging the audit log.

Entries are chained: each digest covers the previous one. Writers serialise on the chain
(a transaction-scoped advisory lock on PostgreSQL, the write lock that `transaction_mode=IMMEDIATE`
takes on SQLite), so concurrent processes cannot fork it.

Retention (`audit_purge`) removes the oldest part of the chain and appends a RETENTION entry that
records the digest of the last removed entry (the *anchor*); `audit_verify` accepts a chain that
starts from such an anchor, and nothing else.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from fidelia.core.context import current_channel, current_request_id
from fidelia.privacy.enums import AuditAction
from fidelia.privacy.models import AuditEntry

GENESIS = "0" * 64
CONTENT_FIELDS = ("created_at", "actor_id", "actor_username", "action", "object_type", "object_id",
                  "party_id", "fields", "channel", "request_id")
ANCHOR_PREFIX = "anchor:"
PURGED_PREFIX = "purged:"
# Any constant will do: it only has to be the same in every process writing the chain.
CHAIN_LOCK_KEY = 0x46494445  # "FIDE"


def _content(entry: AuditEntry) -> str:
    values = {name: getattr(entry, name) for name in CONTENT_FIELDS}
    values["created_at"] = entry.created_at.isoformat()
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)


def compute_digest(previous: str, entry: AuditEntry) -> str:
    """SHA-256 over the previous digest and this entry's content (never its own digest)."""
    return hashlib.sha256(f"{previous}|{_content(entry)}".encode()).hexdigest()


def _lock_chain() -> None:
    """Serialise writers of the chain until the end of the current transaction.

    A row lock on the head is not enough on PostgreSQL: a writer waiting for it would, once it
    gets it, still read the *old* head and fork the chain. After an advisory lock, the next
    statement sees every entry committed before.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def _head_digest(*, empty: str = GENESIS) -> str:
    last = AuditEntry.objects.order_by("-id").only("digest").first()
    return last.digest if last else empty


def _append(*, previous: str, action: str, actor: Any, actor_username: str, object_type: str,
            object_id: int | None, party_id: int | None, fields: list[str] | None, channel: str,
            request_id: str) -> AuditEntry:
    entry = AuditEntry(
        created_at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_username=actor_username or getattr(actor, "username", "") or "",
        action=action,
        object_type=object_type[:40],
        object_id=object_id,
        party_id=party_id,
        fields=sorted(fields or []),
        channel=channel or current_channel(),
        request_id=request_id or current_request_id(),
        previous_digest=previous,
    )
    entry.digest = compute_digest(entry.previous_digest, entry)
    entry.save(force_insert=True)
    return entry


# No savepoint: an entry is written inside the caller's transaction and fails with it, and the
# two savepoint statements per entry would double the cost of auditing on busy pages.
@transaction.atomic(savepoint=False)
def audit_record(*, action: str, actor: Any = None, actor_username: str = "", obj: Any = None,
                 party_id: int | None = None, fields: list[str] | None = None, channel: str = "",
                 request_id: str = "", object_type: str = "", object_id: int | None = None) -> AuditEntry:
    """Append one entry to the chain. Field *names* only: an audit row never holds values.

    The record is `obj` (its model label and pk) or, when the caller only knows them,
    `object_type` and `object_id`. Channel and request id default to the current unit of work
    (`fidelia.core.context`).
    """
    _lock_chain()
    return _append(
        previous=_head_digest(), action=action, actor=actor, actor_username=actor_username,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=getattr(obj, "pk", None) if obj is not None else object_id,
        party_id=party_id, fields=fields, channel=channel, request_id=request_id,
    )


def audit_export(*, actor: Any, what: str, party_id: int | None = None, fmt: str = "") -> AuditEntry:
    """Record that `actor` took data out of Fidelia: `what` names the data set (e.g. "audit_log",
    "subject_export"), `fmt` the file format when there is one."""
    return audit_record(action=AuditAction.EXPORT, actor=actor, party_id=party_id,
                        fields=[what] + ([f"format:{fmt}"] if fmt else []))


@transaction.atomic
def audit_purge(*, before: dt.datetime) -> int:
    """Delete the entries older than `before`; return how many were deleted.

    Only a prefix of the chain is removed (up to the first entry not older than `before`), so what
    remains is still one unbroken chain. A RETENTION entry is then appended, with fields
    `anchor:<digest of the last deleted entry>` and `purged:<n>`, which lets `audit_verify`
    accept the new start. Nothing is deleted (and nothing recorded) when nothing is old enough.
    On PostgreSQL the append-only trigger lets the DELETE through only because this transaction
    sets `fidelia.audit_purge`; the flag is switched off again right after.
    """
    _lock_chain()
    younger = AuditEntry.objects.filter(created_at__gte=before).order_by("id").values_list("id", flat=True).first()
    doomed = AuditEntry.objects.filter(id__lt=younger) if younger is not None else AuditEntry.objects.all()
    last = doomed.order_by("-id").only("id", "digest").first()
    if last is None:
        return 0
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL fidelia.audit_purge = 'on'")
        # Raw SQL on purpose: the model and its queryset refuse deletes.
        cursor.execute(f"DELETE FROM {table} WHERE id <= %s", [last.pk])  # noqa: S608 — table name from the model
        purged = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL fidelia.audit_purge = 'off'")
    # If everything went, the RETENTION entry starts the new chain from the anchor itself.
    _append(previous=_head_digest(empty=last.digest), action=AuditAction.RETENTION, actor=None,
            actor_username="", object_type="", object_id=None, party_id=None,
            fields=[f"{ANCHOR_PREFIX}{last.digest}", f"{PURGED_PREFIX}{purged}"], channel="", request_id="")
    return purged


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def _anchors() -> dict[str, int]:
    """{anchor digest: id of the RETENTION entry recording it}; retention runs are few."""
    anchors: dict[str, int] = {}
    for pk, fields in AuditEntry.objects.filter(action=AuditAction.RETENTION).values_list("id", "fields"):
        for item in fields or []:
            if isinstance(item, str) and item.startswith(ANCHOR_PREFIX):
                anchors[item.removeprefix(ANCHOR_PREFIX)] = pk
    return anchors


def audit_verify(*, batch: int = 5000) -> ChainReport:
    """Recompute the chain from its first entry; report the first entry that does not fit.

    The first entry must follow the genesis digest, or an anchor recorded by a RETENTION entry at
    or after it (that entry is itself checked by the walk, so an anchor cannot be forged without
    breaking the chain). Every other entry must follow the one before it.
    """
    anchors: dict[str, int] | None = None
    previous: str | None = None
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=batch):
        if previous is None:
            previous = entry.previous_digest
            if previous != GENESIS:
                anchors = _anchors()
                if anchors.get(previous, -1) < entry.pk:
                    return ChainReport(checked=0, first_broken_id=entry.pk)
        if entry.previous_digest != previous or compute_digest(previous, entry) != entry.digest:
            return ChainReport(checked=checked, first_broken_id=entry.pk)
        previous, checked = entry.digest, checked + 1
    return ChainReport(checked=checked, first_broken_id=None)

