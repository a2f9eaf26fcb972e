"""Sales pages: the catalogue, the contracts held and the transactions.

Each view is the same checklist: access-checked selector → form → service → render or redirect.
A service's refusal (`DomainError`) is shown on the form; nothing the user types leads to a 500.
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from fidelia.accounts import policies
from fidelia.core.errors import DomainError
from fidelia.core.htmx import pick_template
from fidelia.parties.fields import field_rights
from fidelia.parties.selectors import party_get_for_user
from fidelia.privacy.reads import audit_sensitive_read
from fidelia.sales import selectors, services
from fidelia.sales.forms import (
    ContractFilterForm,
    ContractForm,
    FamilyForm,
    ProductFilterForm,
    ProductForm,
    TransactionFilterForm,
    TransactionForm,
    apply_domain_error,
)
from fidelia.sales.models import Product

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
