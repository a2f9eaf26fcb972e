"""Pages of the service desk: queues, the case workspace, the customer's cases on their file,
dashboards and SLA policies. Reads go through `selectors` (404 outside what the user reads),
writes through `services`."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from fidelia.accounts import policies
from fidelia.core.errors import DomainError
from fidelia.core.htmx import pick_template
from fidelia.core.pagination import CappedPaginator
from fidelia.parties.selectors import party_get_for_user
from fidelia.service import reports, selectors, services
from fidelia.service.enums import CaseKind, QueueView
from fidelia.service.forms import (
    CaseForm,
    ClassifyForm,
    MacroForm,
    NoteForm,
    ReplyForm,
    SlaPolicyForm,
    StatusForm,
)
from fidelia.service.models import ReplyTemplate, SlaPolicy

PAGE_SIZE = 50
QUEUE_COUNT_CAP = 10_000
SEARCH_COUNT_CAP = 1_000


def _require_agent(request: HttpRequest) -> None:
    if not policies.can_work_cases(request.user):
        raise Http404


def _form_errors(form: object, exc: DomainError) -> None:
    form.add_error(None, exc.message)  # type: ignore[attr-defined]
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(None, f"{field}: {error}")  # type: ignore[attr-defined]


@login_required
@require_GET
@vary_on_headers("HX-Request")
def index(request: HttpRequest) -> HttpResponse:
    """The queues: mine, my team, unassigned, breached or due soon, all; HTMX gets the rows only."""
    _require_agent(request)
    view = request.GET.get("view") or QueueView.MINE
    view = view if view in QueueView.values else QueueView.MINE
    kind = request.GET.get("kind", "") if request.GET.get("kind", "") in CaseKind.values else ""
    q = request.GET.get("q", "")[:100]
    # A text search filters row by row (no index serves "subject contains"): its count stops sooner.
    cap = SEARCH_COUNT_CAP if q.strip() else QUEUE_COUNT_CAP
    page = CappedPaginator(selectors.case_queue(request.user, view=view, q=q, kind=kind), PAGE_SIZE,
                           cap=cap).get_page(request.GET.get("page"))
    page.object_list = selectors.case_queue_rows(list(page.object_list), now=timezone.now())
    return render(request, pick_template(request, "service/queue.html", "service/partials/queue_rows.html"),
                  {"page": page, "view": view, "views": QueueView.choices, "q": q, "kind": kind,
                   "kinds": CaseKind.choices})


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    _require_agent(request)
    form = CaseForm(request.POST or None, initial={"party": request.GET.get("party")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            party = party_get_for_user(user=request.user, pk=data.pop("party"))
        except Http404:
            form.add_error("party", _("No customer with this number in your portfolio."))
        else:
            try:
                case = services.case_create(actor=request.user, party=party, owner=request.user, **data)
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                return redirect("service:case", pk=case.pk)
    return render(request, "service/case_new.html", {"form": form})


def _workspace(request: HttpRequest, case: object, **forms: object) -> dict[str, object]:
    from fidelia.interactions.models import Interaction
    from fidelia.sales.models import Contract

    party = case.party  # type: ignore[attr-defined]
    context: dict[str, object] = {
        "case": case, "sla": selectors.sla_state(case), "history": selectors.case_history(case),
        "reply_form": forms.get("reply_form") or ReplyForm(initial={"version": case.version}),  # type: ignore[attr-defined]
        "note_form": forms.get("note_form") or NoteForm(),
        "status_form": forms.get("status_form") or StatusForm(case=case, initial={"version": case.version}),  # type: ignore[arg-type,attr-defined]
        "classify_form": forms.get("classify_form") or ClassifyForm(initial={
            "kind": case.kind, "category": case.category, "priority": case.priority, "version": case.version}),  # type: ignore[attr-defined]
        "macro_form": MacroForm(),
    }
    if party is not None:
        context.update(
            timeline=list(Interaction.objects.filter(party=party).select_related("author")[:8]),
            contracts=list(Contract.objects.filter(party=party, archived_at__isnull=True).select_related("product")[:8]),
            other_cases=list(selectors.party_cases_for_user(request.user, party.pk).exclude(pk=case.pk)[:8]),  # type: ignore[attr-defined]
        )
    return context


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The agent workspace: the case and its conversation, with the customer's history beside it."""
    _require_agent(request)
    case = selectors.case_get_for_user(request.user, pk)
    return render(request, "service/case.html", _workspace(request, case))


def _act(request: HttpRequest, pk: int, form_class: type, name: str, run: object) -> HttpResponse:
    """Validate `form_class`, run the service, redirect to the case; re-render the workspace on error."""
    _require_agent(request)
    case = selectors.case_get_for_user(request.user, pk)
    kwargs = {"case": case} if form_class is StatusForm else {}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            run(case, form.cleaned_data)  # type: ignore[operator]
        except DomainError as exc:
            _form_errors(form, exc)
        except OSError:
            form.add_error(None, _("The mail server refused the message; nothing was sent or recorded. Try again."))
        else:
            return redirect("service:case", pk=case.pk)
    return render(request, "service/case.html", _workspace(request, case, **{name: form}), status=422)


@login_required
@require_POST
def case_take(request: HttpRequest, pk: int) -> HttpResponse:
    _require_agent(request)
    case = selectors.case_get_for_user(request.user, pk)
    services.case_take(case=case, actor=request.user)
    messages.success(request, _("You took the case %(ref)s.") % {"ref": case.reference})
    return redirect("service:case", pk=case.pk)


@login_required
@require_POST
def case_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, ReplyForm, "reply_form", lambda case, d: services.case_reply(
        case=case, body=d["body"], actor=request.user, version=d["version"], status=d["then"] or None))


@login_required
@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, NoteForm, "note_form",
                lambda case, d: services.case_add_note(case=case, body=d["body"], actor=request.user))


@login_required
@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, StatusForm, "status_form", lambda case, d: services.case_change_status(
        case=case, status=d["status"], actor=request.user, version=d["version"]))


@login_required
@require_POST
def case_classify(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, ClassifyForm, "classify_form", lambda case, d: services.case_update(
        case=case, actor=request.user, version=d.pop("version"), **d))


@login_required
@require_GET
def macro(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply box filled with a canned answer (placeholders replaced for this case)."""
    _require_agent(request)
    case = selectors.case_get_for_user(request.user, pk)
    template = ReplyTemplate.objects.filter(pk=request.GET.get("template") or 0, is_active=True).first() \
        if (request.GET.get("template") or "").isdigit() else None
    body = services.render_template(template, case=case, agent=request.user) if template else ""
    form = ReplyForm(initial={"version": case.version, "body": body})
    return render(request, "service/partials/reply_body.html", {"reply_form": form})


@login_required
@require_GET
def party_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's cases on their file (fragment loaded when the tab scrolls into view)."""
    party = party_get_for_user(user=request.user, pk=pk)
    cases = list(selectors.party_cases_for_user(request.user, party.pk)[:20]) if policies.can_work_cases(
        request.user) else []
    now = timezone.now()
    for case in cases:
        case.sla = selectors.sla_state(case, now=now)
    return render(request, "service/partials/party_cases.html", {"party": party, "cases": cases})


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Figures of the cases opened in the last N months (3, 6 or 12)."""
    if not policies.can_view_service_reports(request.user):
        raise Http404
    months = int(request.GET["months"]) if request.GET.get("months") in {"3", "6", "12"} else 6
    until = timezone.now()
    scope = selectors.report_scope(request.user)
    board = reports.dashboard(scope, since=until - dt.timedelta(days=30.44 * months), until=until)
    return render(request, "service/dashboard.html", {"board": board, "charts": reports.labels(board),
                                                      "months": months})


@login_required
def sla_policies(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """SLA policies: the list, and a form to add or change one (administrators)."""
    if not policies.can_configure_service(request.user):
        raise Http404
    policy = SlaPolicy.objects.filter(pk=pk).first() if pk else None
    if pk and policy is None:
        raise Http404
    form = SlaPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.sla_policy_save(actor=request.user, policy=policy, **{
                k: form.cleaned_data[k] for k in form.Meta.fields})
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("SLA policy saved."))
            return redirect("service:sla_policies")
    return render(request, "service/sla_policies.html", {
        "policies": SlaPolicy.objects.all(), "form": form, "policy": policy,
        "hours": services.business_calendar_description()})
