"""Writes of the exports: create a job (inline when small, in the background when large), run it,
hand its file to its owner only, and delete expired files.

Every export is audited (`audit_export`, plus the sensitive fields it served) when its file is
written; rights are checked again when a background job runs, so a role changed in between counts.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.bi.enums import ExportFormat, ExportStatus
from fidelia.bi.lists import clean_filters, list_export
from fidelia.bi.models import ExportJob
from fidelia.bi.writers import Progress, write_rows
from fidelia.core.errors import DomainError, ErrorCode, PermissionDenied, ValidationFailed
from fidelia.privacy.audit import audit_export
from fidelia.privacy.reads import audit_sensitive_read

logger = logging.getLogger(__name__)

RETENTION_KEY = "export_files"
DEFAULT_KEEP_DAYS = 7
XLSX_MAX_ROWS = 1_048_575  # a worksheet holds 1,048,576 rows, the header included


class ExportNotFound(DomainError):
    code = ErrorCode.NOT_FOUND
    status = 404


class ExportNotReady(DomainError):
    code = ErrorCode.INVALID
    status = 409


def inline_max() -> int:
    """Exports of at most this many rows are written during the request; larger ones by a worker."""
    return int(getattr(settings, "FIDELIA_EXPORT_INLINE_MAX", 5000))


def exports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_days() -> int:
    """Days an export file is kept: the `export_files` policy of the retention register (7 by default)."""
    from fidelia.privacy.models import RetentionPolicy

    policy = RetentionPolicy.objects.filter(key=RETENTION_KEY).only("duration", "duration_unit").first()
    if policy is None:
        return DEFAULT_KEEP_DAYS
    now = timezone.now()
    return max(1, (now - policy.cutoff(now)).days)


def export_job_create(*, user: User, list_name: str, filters: Mapping[str, Any], fmt: str,
                      background: bool | None = None, on_progress: Progress | None = None) -> ExportJob:
    """Record an export of `list_name` as `user` sees it with `filters`, and run it.

    At most `inline_max()` rows run now (the returned job is done or failed); more are queued for
    a worker after commit (`background=True/False` forces either). Refuses an unknown list or
    format (ValidationFailed), a list the user has no page for (404), and an XLSX beyond a sheet.
    """
    if not policies.can_export_lists(user):
        raise PermissionDenied(_("You may not export lists."))
    if fmt not in ExportFormat.values:
        raise ValidationFailed(_("“%(value)s” is not an export format.") % {"value": fmt},
                               fields={"format": [_("Choose one of: %(names)s.") % {"names": ", ".join(ExportFormat.values)}]})
    export = list_export(user=user, name=list_name, filters=filters)
    total = export.count()
    if fmt == ExportFormat.XLSX and total > XLSX_MAX_ROWS:
        raise ValidationFailed(_("%(count)s rows do not fit in an Excel sheet: choose CSV or Parquet.") % {"count": total},
                               fields={"format": [_("Too many rows for XLSX.")]})
    job = ExportJob.objects.create(user=user, list_name=list_name, filters=clean_filters(filters), fmt=fmt,
                                   total_rows=total)
    if (total <= inline_max()) if background is None else not background:
        return export_job_run(job_id=job.pk, on_progress=on_progress)
    from fidelia.bi.tasks import export_job_run_task

    transaction.on_commit(lambda: export_job_run_task.delay(job.pk))
    return job


def _finish(job: ExportJob, **values: Any) -> ExportJob:
    for name, value in values.items():
        setattr(job, name, value)
    job.finished_at = timezone.now()
    job.save(update_fields=[*values, "finished_at"])
    return job


def export_job_run(*, job_id: int, on_progress: Progress | None = None) -> ExportJob:
    """Write the job's file, streaming rows in chunks and recording progress; audit the export.

    Safe to retry: a finished job is left as it is, a job interrupted while running starts again
    from the first row. A refusal (rights lost since) or an error marks the job failed, never raises.
    """
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, row_count=0)
    path = exports_dir() / f"{job.pk}-{secrets.token_hex(8)}.{job.fmt}"
    partial = path.with_name(path.name + ".part")
    try:
        export = list_export(user=job.user, name=job.list_name, filters=job.filters)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(row_count=done)
            if on_progress:
                on_progress(done)

        count = write_rows(partial, job.fmt, export.columns, export.rows(), on_progress=progress)
        partial.rename(path)
    except DomainError as exc:
        partial.unlink(missing_ok=True)
        return _finish(job, status=ExportStatus.FAILED, error=exc.message[:300])
    except Exception:
        logger.exception("export job %s failed", job.pk)
        partial.unlink(missing_ok=True)
        return _finish(job, status=ExportStatus.FAILED, error=_("The export failed; please try again.")[:300])
    with transaction.atomic():
        audit_export(actor=job.user, what=f"list:{job.list_name}", fmt=job.fmt)
        audit_sensitive_read(user=job.user, fields=export.sensitive, obj_type=f"bi.export.{job.list_name}"[:40])
        return _finish(job, status=ExportStatus.DONE, row_count=count, file_path=str(path),
                       total_rows=max(job.total_rows, count),
                       expires_at=timezone.now() + dt.timedelta(days=keep_days()))


def export_job_file(*, user: User, job_id: Any) -> tuple[ExportJob, Path]:
    """The job's file for its owner; ExportNotFound for anyone else (even an administrator) or
    an expired file, ExportNotReady while it is being written."""
    try:
        job = ExportJob.objects.filter(pk=int(job_id), user=user).first()
    except (TypeError, ValueError, OverflowError):
        job = None
    if job is None:
        raise ExportNotFound(_("This export does not exist."))
    if job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        raise ExportNotReady(_("This export is not ready yet."))
    path = Path(job.file_path) if job.file_path else None
    if job.status != ExportStatus.DONE or path is None or not path.is_file():
        raise ExportNotFound(_("This export is no longer available."))
    return job, path


def export_jobs_purge(*, before: dt.datetime, now: dt.datetime, apply: bool) -> tuple[int, int]:
    """Jobs requested before `before` or past their expiry: (matched, deleted). Files and rows both
    go: the file holds customer data, the row the filters typed (which may name a person)."""
    stale = ExportJob.objects.filter(created_at__lt=before) | ExportJob.objects.filter(expires_at__lt=now)
    stale = stale.exclude(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING], created_at__gte=before)
    matched = stale.count()
    if not apply or not matched:
        return matched, 0
    for file_path in stale.exclude(file_path="").values_list("file_path", flat=True):
        Path(file_path).unlink(missing_ok=True)
    return matched, stale.delete()[1].get(ExportJob._meta.label, 0)
