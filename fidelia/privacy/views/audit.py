"""Audit viewer (administrators and the DPO) and a customer's change history (whoever reads the file).

The audit pages answer 404 to everyone else, like any page a user may not see; the history answers
404 for a customer the user may not read (`party_get_for_user`).
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from fidelia.accounts import policies
from fidelia.core.exports import download
from fidelia.core.htmx import pick_template
from fidelia.core.pagination import CappedPaginator
from fidelia.core.ratelimit import rate_limited
from fidelia.parties.selectors import party_get_for_user
from fidelia.privacy import selectors
from fidelia.privacy.audit import audit_export
from fidelia.privacy.forms import AuditExportForm, AuditFilterForm
from fidelia.privacy.reads import audit_sensitive_read

AUDIT_PAGE_SIZE = 50
AUDIT_COUNT_CAP = 10_000
AUDIT_EXPORT_LIMIT = 50_000  # beyond that, filter the period: a spreadsheet is not an archive (~5 s per 50,000 rows)
HISTORY_PAGE_SIZE = 25


def _require_audit_viewer(request: HttpRequest) -> None:
    # 404 rather than 403: the audit pages do not exist for those who may not read them
    if not policies.can_view_audit(request.user):
        raise Http404


@login_required
@require_GET
@vary_on_headers("HX-Request")
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit log, filtered and newest first; HTMX gets the rows only (without the chain summary)."""
    _require_audit_viewer(request)
    form = AuditFilterForm(request.GET)
    entries = selectors.audit_entries(filters=form.filters())
    page = CappedPaginator(entries, AUDIT_PAGE_SIZE, cap=AUDIT_COUNT_CAP).get_page(request.GET.get("page"))
    page.object_list = selectors.with_action_labels(page.object_list)
    context = {"filter_form": form, "page": page, "export_limit": AUDIT_EXPORT_LIMIT}
    if not request.htmx:
        context["summary"] = selectors.audit_summary()
    return render(request, pick_template(request, "privacy/audit_list.html", "privacy/partials/audit_rows.html"),
                  context)


@login_required
@require_GET
@rate_limited("export")
def audit_download(request: HttpRequest) -> HttpResponse:
    """The filtered entries as CSV or XLSX (formula-safe); the export is itself audited and counts
    against the user's export rate (FIDELIA_EXPORT_RATE), like every download of personal data."""
    _require_audit_viewer(request)
    entries = selectors.audit_entries(filters=AuditFilterForm(request.GET).filters())
    fmt = AuditExportForm(request.GET).fmt()
    header, rows = selectors.audit_export_table(entries, limit=AUDIT_EXPORT_LIMIT)
    response = download(f"fidelia-audit-{timezone.localdate():%Y%m%d}", header, rows, fmt=fmt)
    audit_export(actor=request.user, what="audit_log", fmt=fmt)
    return response


@login_required
@require_GET
@vary_on_headers("HX-Request")
def party_history(request: HttpRequest, party_id: int) -> HttpResponse:
    """A customer's change history: who changed what, old → new, without the sensitive values the
    user may not read; showing one that they may read is audited as a sensitive read."""
    party = party_get_for_user(user=request.user, pk=party_id)
    page = Paginator(selectors.party_history(party_id=party.pk), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    items, shown = selectors.history_items(page.object_list, user=request.user)
    audit_sensitive_read(user=request.user, fields=shown, party_id=party.pk)
    context = {"party": party, "page": page, "items": items}
    return render(request, pick_template(request, "privacy/party_history.html",
                                         "privacy/partials/party_history.html"), context)
