"""The DPO's pages: dashboard, data-subject requests, subject exports and the suppression list.

Only the DPO and administrators see them (`policies.can_manage_subject_requests`, and
`can_export_subject` for exports); everyone else gets 404, like any page they may not see.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from fidelia.accounts import policies
from fidelia.core.errors import DomainError
from fidelia.core.htmx import pick_template
from fidelia.core.pagination import CappedPaginator
from fidelia.core.ratelimit import rate_limited
from fidelia.parties.forms import add_domain_errors
from fidelia.parties.selectors import consent_coverage, party_get_for_user
from fidelia.privacy import selectors, services, suppression
from fidelia.privacy.exports import FORMATS, subject_export_file
from fidelia.privacy.forms import (
    SubjectRequestCompleteForm,
    SubjectRequestExtendForm,
    SubjectRequestFilterForm,
    SubjectRequestForm,
    SubjectRequestRefuseForm,
    SubjectRequestStartForm,
    SuppressionAddForm,
    SuppressionCheckForm,
)

REQUESTS_PAGE_SIZE = 50


def _require_dpo(request: HttpRequest) -> None:
    # 404 rather than 403: these pages do not exist for those who may not use them
    if not policies.can_manage_subject_requests(request.user):
        raise Http404


# ---------------------------------------------------------------- dashboard


def _deadline_chart(buckets: dict[str, list[Any]]) -> dict[str, Any]:
    return {"labels": [_("Overdue"), _("Due within 7 days"), _("Later")],
            "values": [len(buckets[state]) for state in selectors.DeadlineState if state != "closed"],
            "colors": ["#dc2626", "#d97706", "#2f5bea"], "series": _("Open requests")}


def _coverage_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Heat-map cells [purpose index, channel index, % decided, % granted among decided]."""
    channels = list(dict.fromkeys(r["channel_label"] for r in rows))
    purposes = list(dict.fromkeys(r["purpose_label"] for r in rows))
    cells = [[purposes.index(r["purpose_label"]), channels.index(r["channel_label"]),
              round(100 * r["decided"] / r["customers"]) if r["customers"] else 0,
              round(100 * r["granted"] / r["decided"]) if r["decided"] else 0] for r in rows]
    return {"x": purposes, "y": channels, "cells": cells,
            "labels": {"decided": _("Customers with a recorded decision"), "granted": _("of whom consenting")}}


def _retention_rows() -> list[Any] | None:
    """The retention register's overdue counts; None while the retention job is not installed."""
    try:
        from fidelia.privacy.retention import retention_preview
    except ImportError:
        return None
    return retention_preview()


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Open requests by deadline, records past their retention period (target 0), consent coverage."""
    _require_dpo(request)
    buckets = selectors.open_requests_by_deadline()
    coverage = consent_coverage()
    retention = _retention_rows()
    context = {
        "buckets": buckets, "deadline_chart": _deadline_chart(buckets), "coverage": coverage,
        "coverage_chart": _coverage_chart(coverage), "retention": retention,
        "retention_overdue": sum(r.overdue or 0 for r in retention or []),
        "suppression_counts": suppression.suppression_counts(),
    }
    return render(request, "privacy/dashboard.html", context)


# ---------------------------------------------------------------- request register


@login_required
@require_GET
@vary_on_headers("HX-Request")
def request_list(request: HttpRequest) -> HttpResponse:
    """The register, open requests first by deadline; HTMX gets the rows only."""
    _require_dpo(request)
    form = SubjectRequestFilterForm(request.GET or None)
    qs = selectors.subject_request_list(user=request.user, **form.filters())
    page = CappedPaginator(qs, REQUESTS_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_deadlines(page.object_list)
    return render(request, pick_template(request, "privacy/request_list.html", "privacy/partials/request_rows.html"),
                  {"filter_form": form, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    """Register a request; a customer number, when given, must be a file the DPO can read."""
    _require_dpo(request)
    form = SubjectRequestForm(request.POST or None, initial={"party": request.GET.get("party")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            party_id = party_get_for_user(user=request.user, pk=data["party"]).pk if data["party"] else None
        except Http404:
            form.add_error("party", _("No customer has this number."))
        else:
            try:
                created = services.subject_request_create(
                    actor=request.user, kind=data["kind"], requester_name=data["requester_name"],
                    requester_contact=data["requester_contact"], channel=data["channel"],
                    received_on=data["received_on"], party_id=party_id, notes=data["notes"])
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Request registered: answer due by %(date)s.")
                                 % {"date": formats.date_format(created.due_on, "SHORT_DATE_FORMAT")})
                return redirect("privacy:request_detail", pk=created.pk)
    return render(request, "privacy/request_form.html", {"form": form}, status=422 if form.errors else 200)


def _detail_context(request: HttpRequest, subject_request: Any, *, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    """The detail page: the request with its deadline state, its history, and one form per action."""
    version = {"version": subject_request.version}
    defaults = {"start": SubjectRequestStartForm(initial=version),
                "extend": SubjectRequestExtendForm(initial={**version, "notified_on": timezone.localdate()}),
                "complete": SubjectRequestCompleteForm(initial=version),
                "refuse": SubjectRequestRefuseForm(initial=version)}
    return {"req": selectors.with_deadlines([subject_request])[0], "events": subject_request.events.select_related("actor"),
            "forms": {**defaults, **(forms or {})}, "can_erase": policies.can_erase_subject(request.user)}


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_dpo(request)
    subject_request = selectors.subject_request_get_for_user(user=request.user, pk=pk)
    return render(request, "privacy/request_detail.html", _detail_context(request, subject_request))


def _run_action(action: str, form: Any, subject_request: Any, user: Any) -> Any:
    """Call the service behind `action` with the form's values."""
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    service = {"start": services.subject_request_start, "extend": services.subject_request_extend,
               "complete": services.subject_request_complete, "refuse": services.subject_request_refuse}[action]
    return service(request=subject_request, actor=user, version=form.cleaned_data["version"], **data)


ACTION_FORMS = {"start": SubjectRequestStartForm, "extend": SubjectRequestExtendForm,
                "complete": SubjectRequestCompleteForm, "refuse": SubjectRequestRefuseForm}


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Start, extend, complete or refuse a request; a refused step re-renders the page with its error."""
    _require_dpo(request)
    subject_request = selectors.subject_request_get_for_user(user=request.user, pk=pk)
    if action not in ACTION_FORMS:
        raise Http404
    form = ACTION_FORMS[action](request.POST)
    if form.is_valid():
        try:
            _run_action(action, form, subject_request, request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The request was updated."))
            return redirect("privacy:request_detail", pk=subject_request.pk)
    subject_request.refresh_from_db()
    context = {**_detail_context(request, subject_request, forms={action: form}), "failed_action": action}
    return render(request, "privacy/request_detail.html", context, status=422)


# ---------------------------------------------------------------- subject export


@login_required
@require_GET
@rate_limited("export")
def subject_export(request: HttpRequest, party_id: int) -> HttpResponse:
    """Everything held about one customer, as ?format=json|csv|html|pdf (audited; FIDELIA_EXPORT_RATE per user)."""
    if not policies.can_export_subject(request.user):
        raise Http404
    party = party_get_for_user(user=request.user, pk=party_id)
    fmt = request.GET.get("format", "json")
    if fmt not in FORMATS:
        message = _("Unknown export format “%(fmt)s”: choose one of %(choices)s.") % {"fmt": fmt[:20], "choices": ", ".join(FORMATS)}
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    file = subject_export_file(party_id=party.pk, fmt=fmt, actor=request.user)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Cache-Control"] = "no-store"  # personal data: no copy in a shared cache
    return response


# ---------------------------------------------------------------- suppression list


@login_required
@require_http_methods(["GET", "POST"])
def suppression_list(request: HttpRequest) -> HttpResponse:
    """Counts by kind, a form to add an address or number, a form to check one. Clear values are never listed."""
    _require_dpo(request)
    add_form, check_form, checked = SuppressionAddForm(prefix="add"), SuppressionCheckForm(prefix="check"), None
    status = 200
    if request.method == "POST" and "add-value" in request.POST:
        add_form = SuppressionAddForm(request.POST, prefix="add")
        if add_form.is_valid():
            try:
                _entry, created = suppression.suppression_add(**add_form.cleaned_data)
            except DomainError as exc:
                add_domain_errors(add_form, exc)
            else:
                messages.success(request, _("Added to the suppression list.") if created
                                 else _("This value was already on the suppression list."))
                return redirect("privacy:suppression")
        status = 422
    elif request.method == "POST":
        check_form = SuppressionCheckForm(request.POST, prefix="check")
        if check_form.is_valid():
            checked = bool(suppression.suppressed_filter([check_form.cleaned_data["value"]]))
        else:
            status = 422
    return render(request, "privacy/suppression.html", {"counts": suppression.suppression_counts(),
                  "add_form": add_form, "check_form": check_form, "checked": checked}, status=status)
