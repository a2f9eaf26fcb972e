"""Sales pages: the catalogue, the contracts held and the transactions.

Each view is the same checklist: access-checked selector → form → service → render or redirect.
A service's refusal (`DomainError`) is shown on the form; nothing the user types leads to a 500.
"""
from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core import ratelimit
from fidelia.core.errors import DomainError, StaleVersion
from fidelia.core.htmx import pick_template
from fidelia.parties.fields import field_rights
from fidelia.parties.selectors import party_get_for_user
from fidelia.privacy.reads import audit_sensitive_read
from fidelia.sales import documents, selectors, services, signals
from fidelia.sales.enums import stage_label
from fidelia.sales.forms import (
    ContractFilterForm,
    ContractForm,
    FamilyForm,
    LeadConvertForm,
    LeadFilterForm,
    LeadForm,
    LostReasonForm,
    MoveForm,
    OpportunityForm,
    PipelineFilterForm,
    ProductFilterForm,
    ProductForm,
    QuoteFilterForm,
    QuoteForm,
    QuoteLineFormSet,
    ReportFilterForm,
    StageForm,
    TransactionFilterForm,
    TransactionForm,
    WebLeadForm,
    apply_domain_error,
)
from fidelia.sales.models import LostReason, Order, PipelineStage, Product, Quote

PAGE_SIZE = 50
GET_POST = require_http_methods(["GET", "POST"])
# lists answer HTMX with their rows only: caches must keep the page and the fragment apart
HTMX_LIST = vary_on_headers("HX-Request")


def _page(request: HttpRequest, qs: QuerySet[Any]) -> Page:
    # get_page() turns a missing, non-numeric or out-of-range page number into a valid page
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _require_catalogue_editor(request: HttpRequest) -> None:
    # 404 rather than 403: the form pages do not exist for those who may not use them
    if not policies.can_edit_catalogue(request.user):
        raise Http404


def _sellable(user: Any, current: Product | None = None) -> QuerySet[Product]:
    """Products offered in contract and transaction forms: those on sale, plus the one already chosen."""
    offered = Q(is_active=True) | Q(pk=current.pk) if current else Q(is_active=True)
    return selectors.products_for_user(user).filter(offered)


# --- catalogue ---------------------------------------------------------------------------------


@login_required
@HTMX_LIST
def product_list(request: HttpRequest) -> HttpResponse:
    """The catalogue by family with holders among the user's customers; HTMX gets the tables only."""
    filter_form = ProductFilterForm(request.GET)
    products = selectors.product_catalogue(user=request.user, filters=filter_form.filters())
    context = {"filter_form": filter_form, "products": products, "rights": field_rights(request.user),
               "can_edit": policies.can_edit_catalogue(request.user)}
    return render(request, pick_template(request, "sales/product_list.html", "sales/partials/product_table.html"),
                  context)


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A product sheet and what the user's customers hold of it."""
    product = selectors.product_get_for_user(user=request.user, pk=pk)
    holding = selectors.product_holding(user=request.user, product=product)
    return render(request, "sales/product_detail.html", {
        "product": product, "holding": holding, "can_edit": policies.can_edit_catalogue(request.user),
        "rights": field_rights(request.user),
    })


@login_required
@GET_POST
def product_create(request: HttpRequest) -> HttpResponse:
    """Catalogue editors only (404 for the others)."""
    _require_catalogue_editor(request)
    form = ProductForm(request.POST or None, initial={"family": request.GET.get("family")})
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(actor=request.user, **form.service_values())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("sales:product_detail", pk=product.pk)
    return render(request, "sales/product_form.html", {"form": form, "product": None})


@login_required
@GET_POST
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Catalogue editors only; an edit started from an old version is refused, nothing is written."""
    _require_catalogue_editor(request)
    product = selectors.product_get_for_user(user=request.user, pk=pk)
    form = ProductForm.for_product(product, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, actor=request.user, version=form.cleaned_data["version"],
                                    **form.service_values())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("sales:product_detail", pk=product.pk)
    return render(request, "sales/product_form.html", {"form": form, "product": product})


@login_required
@GET_POST
def family_create(request: HttpRequest) -> HttpResponse:
    """Catalogue editors only; an existing family of the same name is reused."""
    _require_catalogue_editor(request)
    form = FamilyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            family = services.family_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect(f"{reverse('sales:product_list')}?family={family.pk}")
    return render(request, "sales/family_form.html", {"form": form})


# --- contracts ---------------------------------------------------------------------------------


@login_required
@HTMX_LIST
def contract_list(request: HttpRequest) -> HttpResponse:
    """Contracts of the customers the user may read; narrowed to one (?party=) it shows the equipment rate."""
    filter_form = ContractFilterForm(request.GET, products=selectors.products_for_user(request.user))
    filters = filter_form.filters()
    party = _filtered_party(request, filters.party)
    page = _page(request, selectors.contract_list(user=request.user, filters=filters))
    writable = selectors.writable_party_ids(user=request.user,
                                            party_ids=[c.party_id for c in page] + ([party.pk] if party else []))
    context = {"filter_form": filter_form, "page": page, "party": party, "rights": field_rights(request.user),
               "writable_ids": writable, "party_writable": bool(party and party.pk in writable),
               # only the full page shows it; an HTMX refresh of the rows does not need it
               "equipment": party and not request.htmx and selectors.party_equipment_rate(user=request.user, party=party)}
    return render(request, pick_template(request, "sales/contract_list.html", "sales/partials/contract_table.html"),
                  context)


def _filtered_party(request: HttpRequest, pk: int | None) -> Any:
    """The party a list is narrowed to, if the user may read it (else the list is simply empty)."""
    if pk is None:
        return None
    try:
        return party_get_for_user(user=request.user, pk=pk)
    except Http404:
        return None


@login_required
@GET_POST
def contract_create(request: HttpRequest) -> HttpResponse:
    """A contract for ?party=, which the user must be allowed to change (404 otherwise)."""
    party = party_get_for_user(user=request.user, pk=request.GET.get("party"), for_write=True)
    form = ContractForm(request.POST or None, products=_sellable(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_create(party=party, actor=request.user, **form.service_values())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect(f"{reverse('sales:contract_list')}?party={party.pk}")
    return render(request, "sales/contract_form.html", {
        "form": form, "party": party, "contract": None,
        "equipment": selectors.party_equipment_rate(user=request.user, party=party),
    })


@login_required
@GET_POST
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a contract of a customer the user may change; stale versions are refused."""
    contract = selectors.contract_get_for_user(user=request.user, pk=pk, for_write=True)
    initial = {name: getattr(contract, name) for name in services.CONTRACT_FIELDS} | {"version": contract.version}
    form = ContractForm(request.POST or None, initial=initial, editing=True,
                        products=_sellable(request.user, current=contract.product))
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(contract=contract, actor=request.user, version=form.cleaned_data["version"],
                                     **form.service_values())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect(f"{reverse('sales:contract_list')}?party={contract.party_id}")
    return render(request, "sales/contract_form.html", {"form": form, "party": contract.party, "contract": contract})


# --- transactions ------------------------------------------------------------------------------


@login_required
@HTMX_LIST
def transaction_list(request: HttpRequest) -> HttpResponse:
    """Transactions of the customers the user may read, with totals over the whole filtered list.

    Only for those who may read transactions (404 otherwise); margins only for those who may read
    them. A page that shows rows writes one sensitive-read audit row (the customer's id when the
    list is narrowed to one customer)."""
    rights = field_rights(request.user)
    if not rights.transactions:
        raise Http404
    filter_form = TransactionFilterForm(request.GET, products=selectors.products_for_user(request.user))
    filters = filter_form.filters()
    rows = selectors.transaction_list(user=request.user, filters=filters)
    party = _filtered_party(request, filters.party)
    page = _page(request, rows)
    context = {"filter_form": filter_form, "page": page, "totals": selectors.transaction_totals(rows),
               "party": party, "rights": rights,
               "party_writable": bool(party and selectors.writable_party_ids(user=request.user, party_ids=[party.pk]))}
    if page.object_list:
        audit_sensitive_read(user=request.user, fields=rights.transaction_fields(),
                             party_id=party.pk if party else None, obj_type="sales.transaction")
    return render(request, pick_template(request, "sales/transaction_list.html",
                                         "sales/partials/transaction_table.html"), context)


@login_required
@GET_POST
def transaction_create(request: HttpRequest) -> HttpResponse:
    """Record a purchase or refund for ?party=, which the user must be allowed to change (404 otherwise)."""
    party = party_get_for_user(user=request.user, pk=request.GET.get("party"), for_write=True)
    if not field_rights(request.user).transactions:
        raise Http404
    form = TransactionForm(request.POST or None, products=_sellable(request.user),
                           margins=field_rights(request.user).margins)
    if request.method == "POST" and form.is_valid():
        try:
            services.transaction_record(party=party, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect(f"{reverse('sales:transaction_list')}?party={party.pk}")
    return render(request, "sales/transaction_form.html", {"form": form, "party": party})


# --- sales force automation: leads, pipeline board, opportunities, quotes, reports ------------------


def _require_pipeline(request: HttpRequest) -> None:
    # 404 rather than 403: the pipeline pages do not exist for those who may not use them
    if not policies.can_work_pipeline(request.user):
        raise Http404


def _owners(user: Any) -> QuerySet[Any]:
    """Reps a filter or an assignment may name: the user's team (everyone for an administrator)."""
    qs = User.objects.filter(is_active=True, role__in=["sales_rep", "sales_manager"])
    if user.role != "admin":
        qs = qs.filter(team_id=user.team_id) if user.team_id else qs.filter(pk=user.pk)
    return qs.order_by("last_name", "first_name")


@login_required
@HTMX_LIST
def lead_list(request: HttpRequest) -> HttpResponse:
    """Leads the user may see, filtered by qualification, source and text; HTMX gets the table only."""
    _require_pipeline(request)
    filter_form = LeadFilterForm(request.GET)
    page = _page(request, selectors.lead_list(user=request.user, filters=filter_form.filters()))
    return render(request, pick_template(request, "sales/lead_list.html", "sales/partials/lead_table.html"),
                  {"filter_form": filter_form, "page": page})


@login_required
@GET_POST
def lead_create(request: HttpRequest) -> HttpResponse:
    _require_pipeline(request)
    form = LeadForm(request.POST or None, products=_sellable(request.user), initial={"status": "new"})
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(actor=request.user, **form.service_values())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("sales:lead_detail", pk=lead.pk)
    return render(request, "sales/lead_form.html", {"form": form, "lead": None})


@login_required
@GET_POST
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead's sheet: edit and qualify it (stale edits refused), and convert it."""
    _require_pipeline(request)
    lead = selectors.lead_get_for_user(user=request.user, pk=pk)
    initial = {name: getattr(lead, name) for name in services.LEAD_FIELDS} | {"version": lead.version}
    form = LeadForm(request.POST or None, products=_sellable(request.user, lead.interest), editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_update(lead=lead, actor=request.user, version=form.cleaned_data["version"],
                                 **form.service_values())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Lead saved."))
            return redirect("sales:lead_detail", pk=lead.pk)
    convert = LeadConvertForm(initial={"version": lead.version, "amount": lead.estimated_amount,
                                       "opportunity_name": lead.interest.name if lead.interest else ""})
    return render(request, "sales/lead_form.html", {"form": form, "lead": lead, "convert_form": convert})


@login_required
@require_http_methods(["POST"])
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    """Convert into a customer + an opportunity; possible duplicates are listed to attach to one of them."""
    _require_pipeline(request)
    lead = selectors.lead_get_for_user(user=request.user, pk=pk)
    form = LeadConvertForm(request.POST)
    candidates = None
    if form.is_valid():
        data = form.cleaned_data
        attach = party_get_for_user(user=request.user, pk=data["attach_to"]) if data["attach_to"] else None
        try:
            opportunity = services.lead_convert(
                lead=lead, actor=request.user, version=data["version"], attach_to=attach,
                allow_duplicate=data["allow_duplicate"], opportunity_name=data["opportunity_name"],
                amount=data["amount"], expected_close=data["expected_close"])
        except DomainError as exc:
            candidates = getattr(exc, "candidates", None)
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Lead converted: the customer file and the opportunity are created."))
            return redirect("sales:opportunity_detail", pk=opportunity.pk)
    edit = LeadForm(products=_sellable(request.user, lead.interest), editing=True,
                    initial={name: getattr(lead, name) for name in services.LEAD_FIELDS} | {"version": lead.version})
    return render(request, "sales/lead_form.html", {"form": edit, "lead": lead, "convert_form": form,
                                                    "candidates": candidates}, status=200 if candidates else 422)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def lead_web_form(request: HttpRequest) -> HttpResponse:
    """The public web-to-lead form (no sign-in; embeddable). CSRF-exempt by design: it is posted from
    other sites; spam is stopped by the rate limit, the honeypot and the minimum fill time."""
    form = WebLeadForm(request.POST or None, initial={"started_at": time.time(),
                                                      "source_detail": request.GET.get("from", "")[:200]})
    if request.method == "POST":
        decision = ratelimit.hit("web_lead", f"ip:{ratelimit.client_ip(request) or 'unknown'}")
        if not decision.allowed:
            return ratelimit.too_many_requests(request, decision.retry_after)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                lead = services.lead_capture_web(
                    proof={"ip": ratelimit.client_ip(request) or "", "page": request.headers.get("Referer", "")[:500],
                           "user_agent": request.headers.get("User-Agent", "")[:300]},
                    honeypot=data.pop("website"), started_at=data.pop("started_at"),
                    consent_wording=str(WebLeadForm.base_fields["consent"].label) if data["consent"] else "",
                    min_fill_seconds=settings.FIDELIA_WEB_LEAD_MIN_SECONDS, **data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                token = (request.GET.get(signals.CAMPAIGN_TOKEN_PARAM)
                         or request.COOKIES.get(signals.CAMPAIGN_TOKEN_COOKIE) or "")[:500]
                signals.web_lead_captured.send_robust(sender=None, lead_id=lead.pk, email=lead.email,
                                                      campaign_token=token)
                return render(request, "sales/lead_web_form.html", {"thanks": True})
    return render(request, "sales/lead_web_form.html", {"form": form}, status=422 if form.errors else 200)


# --- pipeline settings ---------------------------------------------------------------------------

def _require_pipeline_configurer(request: HttpRequest) -> None:
    if not policies.can_configure_pipeline(request.user):
        raise Http404


def _settings_page(request: HttpRequest, *, bound: tuple[str, Any, Any] | None = None, status: int = 200) -> HttpResponse:
    """Every stage and lost reason as its own small form; `bound` = (kind, pk or None, bound form)
    puts a refused form back in its row with its errors."""
    def pick(kind: str, pk: Any, form: Any) -> Any:
        return bound[2] if bound and bound[0] == kind and bound[1] == pk else form

    # the seeded names are English words shown translated: the form shows what the board shows
    stages = [(stage, pick("stage", stage.pk, StageForm(prefix=f"stage-{stage.pk}", initial={
        "name": stage_label(stage.name), "probability": stage.probability, "outcome": stage.outcome, "position": stage.position,
        "is_active": stage.is_active}))) for stage in PipelineStage.objects.annotate(deals=Count("opportunities"))
        .order_by("position", "id")]
    reasons = [(reason, pick("reason", reason.pk, LostReasonForm(prefix=f"reason-{reason.pk}", initial={
        "label": _(reason.label), "is_active": reason.is_active}))) for reason in LostReason.objects.order_by("label")]
    next_position = max((s.position for s, _f in stages), default=0) + 10
    return render(request, "sales/pipeline_settings.html", {
        "stages": stages, "reasons": reasons,
        "new_stage": pick("stage", None, StageForm(prefix="stage-new", initial={"position": next_position,
                                                                                "probability": 20})),
        "new_reason": pick("reason", None, LostReasonForm(prefix="reason-new")),
    }, status=status)


@login_required
@require_http_methods(["GET"])
def pipeline_settings(request: HttpRequest) -> HttpResponse:
    """Stages (name, probability, outcome, order, in use) and lost reasons, for those who configure
    the pipeline (404 for the others)."""
    _require_pipeline_configurer(request)
    return _settings_page(request)


@login_required
@require_http_methods(["POST"])
def pipeline_stage_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_pipeline_configurer(request)
    stage = get_object_or_404(PipelineStage, pk=pk) if pk is not None else None
    form = StageForm(request.POST, prefix=f"stage-{pk if pk is not None else 'new'}")
    if form.is_valid():
        values = form.cleaned_data
        if stage is not None and values["name"] == stage_label(stage.name):
            values = {**values, "name": stage.name}   # unchanged: the stored name stays (translated on display)
        try:
            saved = services.stage_save(actor=request.user, stage=stage, **values)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Stage “%(name)s” saved.") % {"name": _(saved.name)})
            return redirect("sales:pipeline_settings")
    return _settings_page(request, bound=("stage", pk, form), status=400)


@login_required
@require_http_methods(["POST"])
def pipeline_reason_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_pipeline_configurer(request)
    reason = get_object_or_404(LostReason, pk=pk) if pk is not None else None
    form = LostReasonForm(request.POST, prefix=f"reason-{pk if pk is not None else 'new'}")
    if form.is_valid():
        values = form.cleaned_data
        if reason is not None and values["label"] == _(reason.label):
            values = {**values, "label": reason.label}
        try:
            saved = services.lost_reason_save(actor=request.user, reason=reason, **values)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Lost reason “%(label)s” saved.") % {"label": _(saved.label)})
            return redirect("sales:pipeline_settings")
    return _settings_page(request, bound=("reason", pk, form), status=400)


@login_required
def pipeline_board(request: HttpRequest) -> HttpResponse:
    """The kanban: a column per stage with its totals; cards are dragged to another column (kanban.js)."""
    _require_pipeline(request)
    filter_form = PipelineFilterForm(request.GET, owners=_owners(request.user))
    board = selectors.pipeline_board(user=request.user, filters=filter_form.filters())
    _format_cards(board)
    return render(request, "sales/pipeline_board.html", {
        "filter_form": filter_form, "board": board, "lost_reasons": LostReason.objects.filter(is_active=True),
        "detail_prefix": reverse("sales:opportunity_detail", args=[0]).removesuffix("0/"),
        "can_configure": policies.can_configure_pipeline(request.user)})


def _format_cards(board: selectors.Board) -> None:
    """Amounts and dates of the cards formatted once in Python: a column holds up to 50 cards and
    template filters per card are most of the board's rendering time."""
    from fidelia.core.templatetags.fidelia import money

    for column in board.columns:
        for card in column.cards:
            # plain strings for ids and numbers in attributes (never localised: thousand separators)
            card["id_text"], card["version_text"] = str(card["id"]), str(card["version"])
            card["amount_raw"], card["probability_text"] = str(card["amount"]), str(card["probability"])
            card["amount_text"] = money(card["amount"], 0)
            card["close_text"] = formats.date_format(card["expected_close"], "SHORT_DATE_FORMAT")
            card["next_text"] = formats.date_format(card["next_step_on"], "SHORT_DATE_FORMAT") if card["next_step_on"] else ""


@login_required
@require_http_methods(["POST"])
def opportunity_move(request: HttpRequest, pk: int) -> JsonResponse:
    """The drop of a card: JSON {ok, version, probability} or {ok: false, message} with 409 when the card
    is stale (someone moved or edited it meanwhile) and 422 when the move is refused."""
    _require_pipeline(request)
    opportunity = selectors.opportunity_get_for_user(user=request.user, pk=pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"ok": False, "message": str(_("This move is not valid.")), "fields": form.errors}, status=422)
    data = form.cleaned_data
    try:
        moved = services.opportunity_move_stage(opportunity=opportunity, stage=data["stage"], actor=request.user,
                                                version=data["version"], lost_reason=data["lost_reason"],
                                                lost_note=data["lost_note"])
    except StaleVersion:
        return JsonResponse({"ok": False, "message": str(_(
            "This opportunity was changed by someone else meanwhile: the card goes back. Reload the board."))}, status=409)
    except DomainError as exc:
        return JsonResponse({"ok": False, "message": exc.message}, status=422)
    return JsonResponse({"ok": True, "version": moved.version, "probability": moved.probability})


@login_required
@GET_POST
def opportunity_create(request: HttpRequest) -> HttpResponse:
    """A new opportunity on a customer the user may read (`?party=`)."""
    _require_pipeline(request)
    party = party_get_for_user(user=request.user, pk=request.GET.get("party"))
    form = OpportunityForm(request.POST or None, products=_sellable(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.opportunity_create(party=party, actor=request.user, **form.service_values())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("sales:opportunity_detail", pk=opportunity.pk)
    return render(request, "sales/opportunity_form.html", {"form": form, "party": party, "opportunity": None})


@login_required
@GET_POST
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The opportunity: edit it (stale edits refused), its stage history, lines and quotes."""
    _require_pipeline(request)
    opportunity = selectors.opportunity_get_for_user(user=request.user, pk=pk)
    initial = {name: getattr(opportunity, name) for name in services.OPPORTUNITY_FIELDS} | {"version": opportunity.version}
    form = OpportunityForm(request.POST or None, products=_sellable(request.user), editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_update(opportunity=opportunity, actor=request.user,
                                        version=form.cleaned_data["version"], **form.service_values())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Opportunity saved."))
            return redirect("sales:opportunity_detail", pk=opportunity.pk)
    return render(request, "sales/opportunity_form.html", {
        "form": form, "party": opportunity.party, "opportunity": opportunity,
        "history": selectors.opportunity_history(opportunity=opportunity),
        "quotes": selectors.quotes_for_user(request.user).filter(opportunity=opportunity),
        "lines": opportunity.lines.select_related("product"),
        "move_form": MoveForm(initial={"version": opportunity.version, "stage": opportunity.stage_id}),
    })


@login_required
@require_http_methods(["POST"])
def opportunity_move_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The detail page's stage change (same service as the board), with the lost reason when lost."""
    _require_pipeline(request)
    opportunity = selectors.opportunity_get_for_user(user=request.user, pk=pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.opportunity_move_stage(opportunity=opportunity, stage=data["stage"], actor=request.user,
                                            version=data["version"], lost_reason=data["lost_reason"],
                                            lost_note=data["lost_note"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Stage changed."))
    else:
        messages.error(request, _("This move is not valid."))
    return redirect("sales:opportunity_detail", pk=opportunity.pk)


@login_required
@HTMX_LIST
def quote_list(request: HttpRequest) -> HttpResponse:
    _require_pipeline(request)
    filter_form = QuoteFilterForm(request.GET)
    page = _page(request, selectors.quote_list(user=request.user, filters=filter_form.filters()))
    return render(request, pick_template(request, "sales/quote_list.html", "sales/partials/quote_table.html"),
                  {"filter_form": filter_form, "page": page})


def _line_inputs(formset: Any) -> list[services.QuoteLineInput]:
    return [services.QuoteLineInput(product=f.cleaned_data["product"], quantity=f.cleaned_data["quantity"],
                                    unit_price=f.cleaned_data.get("unit_price"),
                                    discount_rate=f.cleaned_data["discount_rate"], vat_rate=f.cleaned_data["vat_rate"])
            for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


def _quote_forms(request: HttpRequest, *, initial: dict[str, Any], lines: list[dict[str, Any]]) -> tuple[Any, Any]:
    """The quote's header form and line formset; "Add a line" (no JS: the page's CSP allows no inline
    script) posts the form back and gets it with one more, empty, line."""
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_line" in data:
        data = data.copy()
        try:
            added = int(data.get("lines-TOTAL_FORMS", "0"))
        except ValueError:
            added = -1  # a tampered count: the formset reports the broken management form
        if 0 <= added < 100:
            data["lines-TOTAL_FORMS"] = str(added + 1)
            # the new line shows the usual defaults (a bound form would otherwise show empty boxes)
            data.update({f"lines-{added}-quantity": "1", f"lines-{added}-discount_rate": "0",
                         f"lines-{added}-vat_rate": "20"})
    form = QuoteForm(data, initial=initial)
    formset = QuoteLineFormSet(data, initial=lines, prefix="lines",
                               form_kwargs={"products": _sellable(request.user)})
    return form, formset


@login_required
@GET_POST
def quote_create(request: HttpRequest) -> HttpResponse:
    """A draft quote for `?party=` (optionally `&opportunity=`, whose products fill the first lines)."""
    _require_pipeline(request)
    party = party_get_for_user(user=request.user, pk=request.GET.get("party"))
    opportunity = None
    if request.GET.get("opportunity"):
        opportunity = selectors.opportunity_get_for_user(user=request.user, pk=request.GET["opportunity"])
    lines = [{"product": ln.product_id, "quantity": ln.quantity} for ln in opportunity.lines.all()] if opportunity else []
    form, formset = _quote_forms(request, initial={"valid_until": timezone.localdate() + dt.timedelta(days=30)},
                                 lines=lines or [{"quantity": 1}])
    if request.method == "POST" and "add_line" not in request.POST and form.is_valid() and formset.is_valid():
        try:
            quote = services.quote_create(party=party, actor=request.user, opportunity=opportunity,
                                          valid_until=form.cleaned_data["valid_until"], notes=form.cleaned_data["notes"],
                                          lines=_line_inputs(formset))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("sales:quote_detail", pk=quote.pk)
    return render(request, "sales/quote_form.html", {"form": form, "formset": formset, "party": party,
                                                     "opportunity": opportunity, "quote": None})


@login_required
@GET_POST
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote: editable lines while it is a draft (stale edits refused), then send / accept / refuse."""
    _require_pipeline(request)
    quote = selectors.quote_get_for_user(user=request.user, pk=pk)
    lines = [{"product": ln.product_id, "quantity": ln.quantity, "unit_price": ln.unit_price,
              "discount_rate": ln.discount_rate, "vat_rate": ln.vat_rate} for ln in quote.lines.all()]
    form, formset = _quote_forms(request, initial={"valid_until": quote.valid_until, "notes": quote.notes,
                                                   "version": quote.version}, lines=lines)
    if request.method == "POST" and "add_line" not in request.POST and form.is_valid() and formset.is_valid():
        try:
            services.quote_update(quote=quote, actor=request.user, version=form.cleaned_data["version"] or 0,
                                  lines=_line_inputs(formset), valid_until=form.cleaned_data["valid_until"],
                                  notes=form.cleaned_data["notes"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Quote saved."))
            return redirect("sales:quote_detail", pk=quote.pk)
    saved = list(quote.lines.all())
    totals = quote_totals_for(quote)
    return render(request, "sales/quote_form.html", {
        "form": form, "formset": formset, "party": quote.party, "opportunity": quote.opportunity, "quote": quote,
        "totals": totals, "rows": list(zip(saved, totals.lines, strict=True)),
        "order": Order.objects.filter(quote=quote).first()})


def quote_totals_for(quote: Quote) -> Any:
    from fidelia.sales.pricing import LineInput, quote_totals

    return quote_totals([LineInput(quantity=ln.quantity, unit_price=ln.unit_price, discount_rate=ln.discount_rate,
                                   vat_rate=ln.vat_rate) for ln in quote.lines.all()])


QUOTE_ACTIONS = {"send": services.quote_send, "accept": services.quote_accept, "refuse": services.quote_refuse}


@login_required
@require_http_methods(["POST"])
def quote_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Send (e-mail with the PDF), accept (order, contracts, transactions, deal won) or refuse a quote."""
    _require_pipeline(request)
    quote = selectors.quote_get_for_user(user=request.user, pk=pk)
    service = QUOTE_ACTIONS.get(action)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    if service is None:
        raise Http404
    try:
        service(quote=quote, actor=request.user, version=version)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, {"send": _("Quote sent to the customer."), "accept": _("Quote accepted: order, contracts and transactions created."),
                                   "refuse": _("Quote marked as refused.")}[action])
    return redirect("sales:quote_detail", pk=quote.pk)


@login_required
def quote_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable HTML quote."""
    _require_pipeline(request)
    quote = selectors.quote_get_for_user(user=request.user, pk=pk)
    rows = list(quote.lines.all())
    totals = quote_totals_for(quote)
    return render(request, "sales/quote_print.html", {"quote": quote, "rows": list(zip(rows, totals.lines, strict=True)),
                                                      "totals": totals})


@login_required
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _require_pipeline(request)
    quote = selectors.quote_get_for_user(user=request.user, pk=pk)
    response = HttpResponse(documents.quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}.pdf"'
    return response


@login_required
def sales_reports(request: HttpRequest) -> HttpResponse:
    """Forecast, win rate, cycle, funnel and new vs existing business, as charts fed JSON."""
    if not policies.can_view_sales_reports(request.user):
        raise Http404
    form = ReportFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    report = selectors.sales_report(user=request.user, date_from=data.get("date_from"), date_to=data.get("date_to"),
                                    team=data["team"].pk if data.get("team") else None)
    return render(request, "sales/reports.html", {"form": form, "report": report, "chart": _chart_data(report)})


def _chart_data(report: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready figures for the chart kinds of static/js/charts/sales.js."""
    def f(x: Any) -> float:
        return float(x or 0)

    return {
        "forecast": {"months": report["months"], "amount": [f(x) for x in report["forecast_amount"]],
                     "weighted": [f(x) for x in report["forecast_weighted"]],
                     "labels": {"amount": str(_("Pipeline amount")), "weighted": str(_("Weighted forecast"))}},
        "reps": {"names": [r["name"] for r in report["forecast_by_rep"]],
                 "weighted": [f(r["weighted"]) for r in report["forecast_by_rep"]],
                 "label": str(_("Weighted forecast"))},
        "funnel": [{"name": str(_(s["name"])), "value": s["reached"]} for s in report["funnel"]],
        "split": {"names": [r["name"] for r in report["by_rep"]],
                  "new": [f(r["new_amount"]) for r in report["by_rep"]],
                  "existing": [f(r["existing_amount"]) for r in report["by_rep"]],
                  "labels": {"new": str(_("New prospects")), "existing": str(_("Existing customers"))}},
    }


@login_required
def party_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer file's fragment (loaded when it scrolls into view): opportunities and quotes."""
    party = party_get_for_user(user=request.user, pk=pk)
    if not policies.can_work_pipeline(request.user):
        return HttpResponse("")
    return render(request, "sales/partials/party_panel_body.html",
                  {"party": party, **selectors.party_sales_panel(user=request.user, party=party)})
