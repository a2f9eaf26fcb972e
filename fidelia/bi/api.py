"""REST API of list exports and the BI feed.

Exports: any active user, for the lists they can see (`policies.can_export_lists`); visibility and
field rights apply, every export is audited and rate-limited (FIDELIA_EXPORT_RATE). A job and its
file are its owner's only: 404 for anyone else. The BI manifest: administrators and analysts
(`policies.can_read_bi_feed`), 404 otherwise.
"""
from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from ninja import Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.bi import selectors, services
from fidelia.bi.enums import ExportStatus
from fidelia.bi.feed import feed_schema, last_manifest
from fidelia.bi.models import ExportJob
from fidelia.bi.schemas import ExportIn, ExportOut, ManifestOut
from fidelia.core.api import RateLimited, RowId, current_user, errors
from fidelia.core.ratelimit import hit

router = Router(tags=["Exports and BI feed"])


def _out(job: ExportJob) -> dict[str, Any]:
    fields = ("id", "filters", "status", "total_rows", "row_count", "progress", "created_at", "finished_at",
              "expires_at", "error")
    return {**{name: getattr(job, name) for name in fields}, "list": job.list_name, "format": job.fmt,
            "file_url": reverse("api:bi_export_file", args=[job.pk]) if job.status == ExportStatus.DONE else None}


def _job(request: HttpRequest, pk: int) -> ExportJob:
    job = selectors.export_job_get_for_user(user=current_user(request), pk=pk)
    if job is None:
        raise Http404
    return job


@router.post("/exports", response={201: ExportOut, 202: ExportOut, **errors(404, 422, 429)},
             summary="Export a list", url_name="bi_export_create")
def create_export(request: HttpRequest, payload: ExportIn) -> Any:
    """Export a list with the filters of its page. Small lists are written at once (201, status
    `done`); larger ones are queued (202): poll `GET /api/exports/{id}` until `done`."""
    user = current_user(request)
    decision = hit("export", f"user:{user.pk}")
    if not decision.allowed:
        raise RateLimited(decision.retry_after)
    job = services.export_job_create(user=user, list_name=payload.list, filters=payload.filters, fmt=payload.format)
    return Status(201 if job.status in (ExportStatus.DONE, ExportStatus.FAILED) else 202, _out(job))


@router.get("/exports/{id}", response={200: ExportOut, **errors(404)}, summary="An export's status",
            url_name="bi_export")
def get_export(request: HttpRequest, id: int = RowId) -> Any:  # noqa: A002 (the path parameter's name)
    """Status, progress and, once done, the file's URL. Only the user who asked for it sees it."""
    return _out(_job(request, id))


@router.get("/exports/{id}/file", response={200: None, **errors(404, 409)}, summary="Download an export",
            url_name="bi_export_file")
def get_export_file(request: HttpRequest, id: int = RowId) -> Any:  # noqa: A002
    """The file (CSV, XLSX or Parquet) of a finished export; 409 while it is being written."""
    job, path = services.export_job_file(user=current_user(request), job_id=id)
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=job.filename)  # noqa: SIM115
    response["Cache-Control"] = "no-store"
    return response


@router.get("/bi/manifest", response={200: ManifestOut, **errors(404)}, summary="The BI feed's manifest",
            url_name="bi_manifest")
def get_manifest(request: HttpRequest) -> Any:
    """The feed's tables, versions and columns, with the row counts and date of the last Parquet feed."""
    if not policies.can_read_bi_feed(current_user(request)):
        raise Http404
    manifest = last_manifest() or {}
    counts = {t["name"]: t.get("rows") for t in manifest.get("tables", [])}
    schema = feed_schema()
    for table in schema["tables"]:
        table["rows"] = counts.get(table["name"])
    return {**schema, "generated_at": manifest.get("generated_at")}
