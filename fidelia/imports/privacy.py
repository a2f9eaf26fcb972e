"""Personal data held by imports: stored files and error reports (retention), and the provenance
of each imported record (part of the subject's export, erased with them)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from fidelia.imports.models import ImportedRecord, ImportRun
from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention

RETENTION_KEY = "import_files"
DEFAULT_DAYS = 30


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    rows = ImportedRecord.objects.filter(party_id=party_id).select_related("run").order_by("run_id", "row")
    return {"imported_from": [{"source": r.source, "file": r.run.filename, "row": r.row, "kind": r.target,
                               "imported_at": r.run.created_at.isoformat()} for r in rows]}


def erase(party_id: int) -> int:
    """The external id is an identifier of the person in another system: it goes."""
    return ImportedRecord.objects.filter(party_id=party_id).delete()[0]


def import_files_past(policy: Any, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    """Uploaded files and their error reports (names, e-mails…) are deleted `policy` after the run."""
    cutoff = policy.cutoff(now) if policy is not None else now - dt.timedelta(days=DEFAULT_DAYS)
    stale = ImportRun.objects.filter(created_at__lt=cutoff, purged_at__isnull=True).filter(
        ~Q(status__in=["queued", "running"]))
    matched = stale.count()
    acted = stale.update(content=b"", errors=[], purged_at=now) if apply else 0
    return RetentionOutcome(RETENTION_KEY, matched, acted)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="imports", export=export, erase=erase, order=50))
    register_retention(RETENTION_KEY, import_files_past)
