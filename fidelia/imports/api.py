"""REST API of imports: upload, mapping, dry run, run, status, report and errors.

Only importers (`policies.can_import`) may use it; a run is visible to its author and to
administrators (404 otherwise). The flow mirrors the wizard: POST /imports (multipart file) →
PUT /imports/{id}/mapping → POST /imports/{id}/dry-run → POST /imports/{id}/run → GET /imports/{id}.
"""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.core.api import RowId, current_user, errors, text
from fidelia.core.errors import PermissionDenied
from fidelia.imports import selectors, services
from fidelia.imports.readers import MAX_FILE_BYTES, ImportFileError
from fidelia.imports.schemas import ErrorPage, MappingIn, RunOut, TargetOut
from fidelia.imports.targets import TARGETS, ensure_registered
from fidelia.imports.tasks import dispatch
from fidelia.privacy.audit import audit_export

router = Router(tags=["Imports"])


def _importer(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_import(user):
        raise PermissionDenied(_("You may not import data."))
    return user


class UploadIn(Schema):
    target: text(30) = "parties"
    source: text(60) = ""
    encoding: text(40) = ""
    delimiter: text(12) = ""
    template: text(80) = ""


class ErrorsIn(Schema):
    offset: int = 0
    limit: int = 100


@router.get("/imports/targets", response={200: list[TargetOut], **errors(403)}, summary="Kinds of data and their fields")
def list_targets(request: HttpRequest) -> Any:
    _importer(request)
    ensure_registered()
    return [{"name": t.name, "label": str(t.label),
             "fields": [{"name": f.name, "label": str(f.label), "required": f.required} for f in t.fields]}
            for t in TARGETS.values()]


@router.get("/imports", response={200: list[RunOut], **errors(403)}, summary="Recent imports")
def list_runs(request: HttpRequest) -> Any:
    return selectors.runs_for_user(_importer(request))[:50]


@router.post("/imports", response={201: RunOut, **errors(403, 413)}, summary="Upload a file to import")
def upload(request: HttpRequest, file: File[UploadedFile], data: Form[UploadIn]) -> Any:
    """Reads the file once (422 with the reason if it is not a readable table) and suggests a mapping."""
    user = _importer(request)
    if file.size and file.size > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than %(max)d MB.") % {"max": MAX_FILE_BYTES // (1024 * 1024)})
    run = services.import_run_create(actor=user, filename=file.name or "upload", data=file.read(), target=data.target,
                                     source=data.source, encoding=data.encoding, delimiter=data.delimiter,
                                     template=data.template)
    return Status(201, run)


@router.get("/imports/{run_id}", response={200: RunOut, **errors(403, 404)}, summary="Status and report of an import")
def get_run(request: HttpRequest, run_id: int = RowId) -> Any:
    return selectors.run_get_for_user(user=_importer(request), pk=run_id)


@router.put("/imports/{run_id}/mapping", response={200: RunOut, **errors(403, 404)}, summary="Set the column mapping")
def set_mapping(request: HttpRequest, payload: MappingIn, run_id: int = RowId) -> Any:
    user = _importer(request)
    run = selectors.run_get_for_user(user=user, pk=run_id)
    return services.import_run_configure(run=run, actor=user, mapping=payload.mapping, template=payload.template,
                                         source=payload.source, batch_mode=payload.batch_mode or "",
                                         batch_size=payload.batch_size, duplicates=payload.duplicates or "")


@router.post("/imports/{run_id}/dry-run", response={200: RunOut, **errors(403, 404)}, summary="Dry run: validate every row")
def dry_run(request: HttpRequest, run_id: int = RowId) -> Any:
    user = _importer(request)
    return services.import_run_dry_run(run=selectors.run_get_for_user(user=user, pk=run_id), actor=user)


@router.post("/imports/{run_id}/run", response={202: RunOut, **errors(403, 404)}, summary="Import (after a dry run)")
def start(request: HttpRequest, run_id: int = RowId) -> Any:
    """Small files are imported before the answer; large ones run in the background: poll GET /imports/{id}."""
    user = _importer(request)
    run = services.import_run_start(run=selectors.run_get_for_user(user=user, pk=run_id), actor=user)
    dispatch(run.pk, total_rows=run.total_rows)
    run.refresh_from_db()
    return Status(202, run)


@router.post("/imports/{run_id}/cancel", response={200: RunOut, **errors(403, 404)}, summary="Cancel an import")
def cancel(request: HttpRequest, run_id: int = RowId) -> Any:
    user = _importer(request)
    return services.import_run_cancel(run=selectors.run_get_for_user(user=user, pk=run_id), actor=user)


@router.get("/imports/{run_id}/errors", response={200: ErrorPage, **errors(403, 404)}, summary="Rows in error")
def run_errors(request: HttpRequest, filters: Query[ErrorsIn], run_id: int = RowId) -> Any:
    """Row, column, value and message of each problem (duplicates and skipped rows included)."""
    user = _importer(request)
    run = selectors.run_get_for_user(user=user, pk=run_id)
    offset, limit = max(filters.offset, 0), min(max(filters.limit, 1), 1000)
    items = [{"row": r, "column": c, "value": v, "message": m} for r, c, v, m in run.errors[offset:offset + limit]]
    return {"count": run.error_count, "items": items}


@router.get("/imports/{run_id}/errors.csv", response={200: None, **errors(403, 404)}, summary="Error file (CSV)")
def run_errors_csv(request: HttpRequest, run_id: int = RowId) -> Any:
    user = _importer(request)
    run = selectors.run_get_for_user(user=user, pk=run_id)
    audit_export(actor=user, what="import_errors", fmt="csv")
    response = HttpResponse(selectors.error_file(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.csv"'
    return response
