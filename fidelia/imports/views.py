"""The import wizard: upload → mapping (with suggestions) → dry-run report → import → report.

Only importers (`policies.can_import`) see these pages; a run is visible to its author and to
administrators, anyone else gets 404.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fidelia.accounts import policies
from fidelia.core.errors import DomainError
from fidelia.core.htmx import pick_template
from fidelia.imports import selectors, services
from fidelia.imports.enums import RowAction
from fidelia.imports.forms import OptionsForm, UploadForm
from fidelia.imports.mapping import target_for
from fidelia.imports.models import ImportRun
from fidelia.imports.readers import read_table
from fidelia.imports.tasks import dispatch
from fidelia.parties.forms import add_domain_errors
from fidelia.privacy.audit import audit_export

SAMPLE_ROWS = 3
REPORT_ERRORS = 200


def _require_importer(request: HttpRequest) -> None:
    if not policies.can_import(request.user):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def run_list(request: HttpRequest) -> HttpResponse:
    """Recent imports and the upload form."""
    _require_importer(request)
    target = request.POST.get("target") or request.GET.get("target") or "parties"
    form = UploadForm(request.POST or None, request.FILES or None, templates=selectors.templates_for(target))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.import_run_create(
                actor=request.user, filename=upload.name, data=upload.read(), target=form.cleaned_data["target"],
                source=form.cleaned_data["source"], encoding=form.cleaned_data["encoding"],
                delimiter=form.cleaned_data["delimiter"], template=form.cleaned_data["template"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            return redirect("imports:run_detail", pk=run.pk)
    runs = selectors.runs_for_user(request.user)[:50]
    return render(request, "imports/run_list.html", {"form": form, "runs": runs, "here": "imports"}, status=422 if form.errors else 200)


def _mapping_rows(run: ImportRun) -> list[dict]:
    table = read_table(bytes(run.content), filename=run.filename, encoding=run.encoding, delimiter=run.delimiter)
    return [{"header": h, "field": run.mapping.get(h, ""), "samples": [r[i] for r in table.rows[:SAMPLE_ROWS] if i < len(r)]}
            for i, h in enumerate(table.headers)]


@login_required
@require_http_methods(["GET", "POST"])
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The run at its current step; POST sets the mapping and options, then runs the dry run."""
    _require_importer(request)
    run = selectors.run_get_for_user(user=request.user, pk=pk)
    target = target_for(run.target)
    initial = {"source": run.source, "batch_mode": run.batch_mode, "batch_size": run.batch_size, "duplicates": run.duplicates}
    form = OptionsForm(request.POST or None, initial=initial)
    problems: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        mapping = {h: request.POST.get(f"map-{i}", "") for i, h in enumerate(run.headers)}
        try:
            run = services.import_run_configure(run=run, actor=request.user, mapping=mapping, **{
                k: form.cleaned_data[k] for k in ("source", "batch_mode", "batch_size", "duplicates")})
            if form.cleaned_data["save_as"]:
                services.mapping_template_save(actor=request.user, run=run, name=form.cleaned_data["save_as"])
            run = services.import_run_dry_run(run=run, actor=request.user)
        except DomainError as exc:
            problems = exc.fields or {"": [exc.message]}
            messages.error(request, exc.message)
        else:
            return redirect("imports:run_detail", pk=run.pk)
    context = {"run": run, "target": target, "form": form, "problems": problems, "here": "imports",
               "rows": _mapping_rows(run) if run.content and not run.purged_at else [],
               "report": _report(run), "errors": run.errors[:REPORT_ERRORS]}
    return render(request, "imports/run_detail.html", context, status=422 if problems else 200)


def _report(run: ImportRun) -> list[tuple[str, int, int]]:
    """(label, dry-run count, import count) per action."""
    return [(RowAction(a).label, run.dry_run_counts.get(a, 0), run.counts.get(a, 0)) for a in RowAction.values]


@login_required
@require_POST
def run_start(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    run = selectors.run_get_for_user(user=request.user, pk=pk)
    try:
        run = services.import_run_start(run=run, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        dispatch(run.pk, total_rows=run.total_rows)
    return redirect("imports:run_detail", pk=run.pk)


@login_required
@require_POST
def run_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Start again a run whose worker stopped (it resumes after the last committed batch)."""
    _require_importer(request)
    run = selectors.run_get_for_user(user=request.user, pk=pk)
    if run.is_active:
        dispatch(run.pk, total_rows=run.total_rows - run.committed_rows)
    return redirect("imports:run_detail", pk=run.pk)


@login_required
@require_POST
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    run = selectors.run_get_for_user(user=request.user, pk=pk)
    try:
        services.import_run_cancel(run=run, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("imports:run_detail", pk=run.pk)


@login_required
@require_GET
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment, polled by HTMX while the import runs."""
    _require_importer(request)
    run = selectors.run_get_for_user(user=request.user, pk=pk)
    template = pick_template(request, "imports/run_detail.html", "imports/partials/progress.html")
    return render(request, template, {"run": run, "report": _report(run), "here": "imports"})


@login_required
@require_GET
def run_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The error file (row, column, value, message), formulas neutralised; the download is audited."""
    _require_importer(request)
    run = selectors.run_get_for_user(user=request.user, pk=pk)
    audit_export(actor=request.user, what="import_errors", fmt="csv")
    response = HttpResponse(selectors.error_file(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.csv"'
    return response


