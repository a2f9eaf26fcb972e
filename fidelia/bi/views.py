"""Pages of the exports (a user's own jobs, with progress and downloads) and of the BI feed
(administrators and analysts: the tables, the last Parquet feed, how to connect a BI tool).

Exports are created by POST from the list pages' export menu, with the page's current filters;
they are rate-limited (FIDELIA_EXPORT_RATE) like every other export. Files are served only to
their owner (404 otherwise), never cached.
"""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fidelia.accounts import policies
from fidelia.bi import selectors, services
from fidelia.bi.enums import ExportStatus
from fidelia.bi.feed import READER_ROLE, SCHEMA, feed_dir, feed_schema, last_manifest
from fidelia.bi.registry import get_table
from fidelia.core.errors import DomainError
from fidelia.core.htmx import pick_template
from fidelia.core.ratelimit import rate_limited
from fidelia.privacy.audit import audit_export

RECENT = 50


@login_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    """The user's exports; while one runs the rows refresh themselves (HTMX polling)."""
    jobs = list(selectors.export_jobs_for_user(request.user)[:RECENT])
    running = any(j.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for j in jobs)
    template = pick_template(request, "bi/export_list.html", "bi/partials/export_rows.html")
    return render(request, template, {"jobs": jobs, "running": running})


def _filters(request: HttpRequest) -> dict[str, list[str]]:
    """The list page's filters: its query string (plain form post) and the filter form's fields (HTMX)."""
    filters = {k: v for k, v in request.GET.lists()}
    filters.update({k: v for k, v in request.POST.lists()})
    return filters


@login_required
@require_POST
@rate_limited("export")
def export_create(request: HttpRequest) -> HttpResponse:
    """Export a list with the page's filters: a small one is downloaded at once, a large one is
    queued and the user lands on the exports page."""
    if not policies.can_export_lists(request.user):
        raise Http404
    try:
        job = services.export_job_create(user=request.user, list_name=request.POST.get("list", ""),
                                         filters=_filters(request), fmt=request.POST.get("format", ""))
    except services.ExportNotFound:
        raise Http404 from None
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, exc.message)
        return _go(request, reverse("bi:export_list"))
    if job.status == ExportStatus.DONE:
        return _go(request, reverse("bi:export_file", args=[job.pk]))
    if job.status == ExportStatus.FAILED:
        messages.error(request, job.error)
    else:
        messages.success(request, _("Your export is being prepared; it will be listed here when ready."))
    return _go(request, reverse("bi:export_list"))


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect; an HTMX request gets HX-Redirect so the browser itself follows (and downloads)."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_GET
def export_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The file of one of the user's exports (404 for anyone else's, or once expired)."""
    try:
        job, path = services.export_job_file(user=request.user, job_id=pk)
    except services.ExportNotReady:
        messages.info(request, _("This export is not ready yet."))
        return redirect("bi:export_list")
    except DomainError:
        raise Http404 from None
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=job.filename)  # noqa: SIM115 (closed by Django)
    response["Cache-Control"] = "no-store"
    return response


def _require_feed_reader(request: HttpRequest) -> None:
    if not policies.can_read_bi_feed(request.user):
        raise Http404


@login_required
@require_GET
def feed_home(request: HttpRequest) -> HttpResponse:
    """The BI feed: its tables and versions, the last Parquet feed, and how to connect a tool."""
    _require_feed_reader(request)
    manifest = last_manifest()
    generated_at = dt.datetime.fromisoformat(manifest["generated_at"]) if manifest else None
    context = {"schema": feed_schema(), "manifest": manifest, "generated_at": generated_at, "schema_name": SCHEMA,
               "reader_role": READER_ROLE, "database": connection.vendor}
    return render(request, "bi/feed.html", context)


@login_required
@require_POST
@rate_limited("export")
def feed_generate(request: HttpRequest) -> HttpResponse:
    """Regenerate the Parquet feed (in the background when workers run)."""
    _require_feed_reader(request)
    from fidelia.bi.tasks import bi_feed_generate_task

    bi_feed_generate_task.delay(request.user.pk)
    messages.success(request, _("The Parquet feed is being generated."))
    return redirect("bi:feed")


@login_required
@require_GET
@rate_limited("export")
def feed_file(request: HttpRequest, name: str) -> HttpResponse:
    """One table's Parquet file of the last generated feed (audited)."""
    _require_feed_reader(request)
    table = get_table(name.removesuffix(".parquet").rsplit("_v", 1)[0])
    path = feed_dir() / f"{table.view_name}.parquet" if table else None
    if path is None or path.name != name or not path.is_file():
        raise Http404
    audit_export(actor=request.user, what=f"bi_feed:{table.view_name}", fmt="parquet")
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=path.name)  # noqa: SIM115
    response["Cache-Control"] = "no-store"
    return response
