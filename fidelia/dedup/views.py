"""Pages of the duplicate review queue: the list, a pair side by side, merge, dismiss, undo, scans.

Only data stewards (`policies.can_review_duplicates`) reach them; anyone else gets 404. A pair is
shown only when the steward may change both files.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from fidelia.accounts import policies
from fidelia.core.errors import DomainError
from fidelia.core.htmx import pick_template
from fidelia.core.pagination import CappedPaginator
from fidelia.dedup import selectors, services
from fidelia.dedup.forms import MergeForm
from fidelia.dedup.matching import REASON_LABELS

PAGE_SIZE = 50


def _require_reviewer(request: HttpRequest) -> None:
    if not policies.can_review_duplicates(request.user):
        raise Http404


def reason_labels(reasons: list[str]) -> list[str]:
    return [str(REASON_LABELS.get(r, r)) for r in reasons]


@login_required
@require_GET
@vary_on_headers("HX-Request")
def queue(request: HttpRequest) -> HttpResponse:
    """Open pairs, best score first; HTMX gets the rows only."""
    _require_reviewer(request)
    page = CappedPaginator(selectors.candidate_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for pair in page.object_list:
        pair.reason_labels = reason_labels(pair.reasons)
    last_scan = selectors.scan_list(user=request.user).first()
    return render(request, pick_template(request, "dedup/queue.html", "dedup/partials/queue_rows.html"),
                  {"page": page, "last_scan": last_scan,
                   "can_scan": policies.can_run_duplicate_scan(request.user)})


def _pair_context(request: HttpRequest, pair: object, form: MergeForm | None = None) -> dict[str, object]:
    rows = selectors.comparison(pair)
    return {"pair": pair, "rows": rows, "reasons": reason_labels(pair.reasons),
            "form": form or MergeForm(pair=pair, rows=rows),
            "contacts": (selectors.contact_summary(pair.party_a), selectors.contact_summary(pair.party_b))}


@login_required
@require_GET
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The two files side by side, with a choice per differing field."""
    _require_reviewer(request)
    pair = selectors.candidate_get_for_user(user=request.user, pk=pk)
    return render(request, "dedup/pair.html", _pair_context(request, pair))


@login_required
@require_POST
def pair_merge(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reviewer(request)
    pair = selectors.candidate_get_for_user(user=request.user, pk=pk)
    form = MergeForm(request.POST, pair=pair, rows=selectors.comparison(pair))
    if form.is_valid():
        try:
            merge = services.party_merge(actor=request.user, candidate=pair, **form.merge_arguments())
        except DomainError as exc:
            form.add_error(None, exc.message)
            for field, errors in exc.fields.items():
                form.add_error(None, f"{field}: {' '.join(errors)}")
        else:
            messages.success(request, _("Files merged. You can undo the merge from the list of merges."))
            return redirect("parties:detail", pk=merge.survivor_id)
    return render(request, "dedup/pair.html", _pair_context(request, pair, form), status=422)


@login_required
@require_POST
def pair_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reviewer(request)
    pair = selectors.candidate_get_for_user(user=request.user, pk=pk)
    try:
        services.duplicate_dismiss(candidate=pair, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked as not a duplicate: this pair will not be proposed again."))
    return redirect("dedup:queue")


@login_required
@require_GET
def merge_list(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    page = CappedPaginator(selectors.merge_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dedup/merges.html", {"page": page})


@login_required
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reviewer(request)
    merge = selectors.merge_get_for_user(user=request.user, pk=pk)
    try:
        services.party_merge_undo(merge=merge, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Merge undone: both files are back as they were."))
    return redirect("dedup:merges")


@login_required
@require_POST
def scan_start(request: HttpRequest) -> HttpResponse:
    if not policies.can_run_duplicate_scan(request.user):
        raise Http404
    scope = request.POST.get("scope", "full")
    try:
        services.duplicate_scan_request(actor=request.user, scope=scope)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Duplicate scan started. New pairs appear here when it ends."))
    return redirect("dedup:queue")
