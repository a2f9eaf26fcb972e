"""REST API of the catalogue, the products held by customers (contracts) and their transactions.

The catalogue is readable by everyone and changed only by those `policies.can_edit_catalogue`
allows (403 otherwise). Contracts and transactions follow the customer's portfolio: 404 outside it.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core.api import (
    IF_MATCH,
    PageIn,
    PartyId,
    RowId,
    current_user,
    errors,
    etag_documented,
    if_match_version,
    paginate,
    resolve,
    set_etag,
)
from fidelia.core.errors import PermissionDenied, ValidationFailed
from fidelia.parties.fields import field_rights
from fidelia.parties.selectors import party_get_for_user
from fidelia.privacy.reads import audit_sensitive_read
from fidelia.sales import selectors, services
from fidelia.sales.models import Contract, Product, ProductFamily
from fidelia.sales.schemas import (
    ContractCreateIn,
    ContractFiltersIn,
    ContractOut,
    ContractPage,
    ContractUpdateIn,
    ProductCreateIn,
    ProductFamilyIn,
    ProductFamilyOut,
    ProductFiltersIn,
    ProductOut,
    ProductPage,
    ProductUpdateIn,
    TransactionFiltersIn,
    TransactionIn,
    TransactionOut,
    TransactionPage,
)
from fidelia.sales.selectors import contracts_for_user, products_for_user, transactions_for_user

router = Router(tags=["Sales"])



def _require_catalogue_rights(user: User) -> None:
    if not policies.can_edit_catalogue(user):
        raise PermissionDenied(_("You may not change the catalogue."))


def _product(user: User, pk: int | None, field: str = "product") -> Product | None:
    return resolve(products_for_user(user), pk, field=field)


# --- catalogue -------------------------------------------------------------------------------

@router.get("/product-families", response={200: list[ProductFamilyOut], **errors()},
            summary="List product families")
def list_families(request: HttpRequest) -> Any:
    """The families the catalogue is organised in."""
    return selectors.families_for_user(current_user(request)).order_by("name")


@router.post("/product-families", response={201: ProductFamilyOut, **errors(403)},
             summary="Create a product family")
def create_family(request: HttpRequest, payload: ProductFamilyIn) -> Status[ProductFamily]:
    """Add a family to the catalogue (catalogue managers only); an existing name is returned as is."""
    user = current_user(request)
    _require_catalogue_rights(user)
    return Status(201, services.family_create(actor=user, **payload.dict()))


@router.get("/products", response={200: ProductPage, **errors()}, summary="List products")
def list_products(request: HttpRequest, filters: Query[ProductFiltersIn], page: Query[PageIn]) -> dict[str, Any]:
    """The catalogue (fiches produits), by family and name."""
    chosen = selectors.ProductFilters(family=filters.family, kind=filters.kind or "", active=filters.is_active)
    queryset = selectors.product_catalogue(user=current_user(request), filters=chosen)
    if filters.q:
        queryset = queryset.filter(Q(code__icontains=filters.q) | Q(name__icontains=filters.q))
    return paginate(queryset, page)


@router.get("/products/{product_id}", response={200: ProductOut, **errors(404)}, summary="Get a product",
            openapi_extra=etag_documented())
def get_product(request: HttpRequest, response: HttpResponse, product_id: int = RowId) -> Product:
    """A product sheet; the ETag header carries the version to send back in If-Match."""
    product = selectors.product_get_for_user(user=current_user(request), pk=product_id)
    set_etag(response, product.version)
    return product


@router.post("/products", response={201: ProductOut, **errors(403)}, summary="Create a product",
             openapi_extra=etag_documented(201))
def create_product(request: HttpRequest, response: HttpResponse, payload: ProductCreateIn) -> Status[Product]:
    """Add a product to the catalogue (catalogue managers only)."""
    user = current_user(request)
    _require_catalogue_rights(user)
    data = payload.dict()
    data["family"] = resolve(ProductFamily.objects.all(), data["family"], field="family")
    product = services.product_create(actor=user, **data)
    set_etag(response, product.version)
    return Status(201, product)


@router.patch("/products/{product_id}", response={200: ProductOut, **errors(403, 404, 412, 428)},
              summary="Update a product",
              openapi_extra=etag_documented())
def update_product(request: HttpRequest, response: HttpResponse, payload: ProductUpdateIn,
                   product_id: int = RowId, if_match: str | None = IF_MATCH) -> Product:
    """Change the fields sent (catalogue managers only). Needs If-Match: 428 without, 412 if stale."""
    user = current_user(request)
    product = selectors.product_get_for_user(user=user, pk=product_id)
    _require_catalogue_rights(user)
    version = if_match_version(if_match)
    changes = _explicit(payload)
    if "family" in changes:
        changes["family"] = resolve(ProductFamily.objects.all(), changes["family"], field="family")
    product = services.product_update(product=product, actor=user, version=version, **changes)
    set_etag(response, product.version)
    return product


def _explicit(payload: Any) -> dict[str, Any]:
    """The fields the client sent; null is refused where the field cannot be empty."""
    changes = payload.dict(exclude_unset=True)
    nullable = {"end_date", "renewal_date"}
    nulls = [name for name, value in changes.items() if value is None and name not in nullable]
    if nulls:
        message = _("This field cannot be null.")
        raise ValidationFailed(_("Some fields are not valid."), fields={name: [message] for name in nulls})
    return changes


# --- contracts -------------------------------------------------------------------------------

@router.get("/contracts", response={200: ContractPage, **errors()}, summary="List contracts")
def list_contracts(request: HttpRequest, filters: Query[ContractFiltersIn], page: Query[PageIn]) -> dict[str, Any]:
    """Products held by the customers the caller may read, latest first."""
    chosen = selectors.ContractFilters(**{k: v for k, v in filters.dict().items() if v is not None})
    return paginate(selectors.contract_list(user=current_user(request), filters=chosen), page)


@router.get("/contracts/{contract_id}", response={200: ContractOut, **errors(404)}, summary="Get a contract",
            openapi_extra=etag_documented())
def get_contract(request: HttpRequest, response: HttpResponse, contract_id: int = RowId) -> Contract:
    """A contract; the ETag header carries the version to send back in If-Match."""
    contract = selectors.contract_get_for_user(user=current_user(request), pk=contract_id)
    set_etag(response, contract.version)
    return contract


@router.patch("/contracts/{contract_id}", response={200: ContractOut, **errors(404, 412, 428)},
              summary="Update a contract",
              openapi_extra=etag_documented())
def update_contract(request: HttpRequest, response: HttpResponse, payload: ContractUpdateIn,
                    contract_id: int = RowId, if_match: str | None = IF_MATCH) -> Contract:
    """Change the fields sent (dates, status, amount, product). Needs If-Match: 428 without, 412 if stale."""
    user = current_user(request)
    contract = selectors.contract_get_for_user(user=user, pk=contract_id, for_write=True)
    version = if_match_version(if_match)
    changes = _explicit(payload)
    if "product" in changes:
        changes["product"] = _product(user, changes["product"])
    services.contract_update(contract=contract, actor=user, version=version, **changes)
    contract = selectors.contract_get_for_user(user=user, pk=contract_id)
    set_etag(response, contract.version)
    return contract


@router.get("/parties/{party_id}/contracts", response={200: ContractPage, **errors(404)},
            summary="A customer's contracts")
def list_party_contracts(request: HttpRequest, page: Query[PageIn], party_id: int = PartyId) -> dict[str, Any]:
    """The products and services the customer holds (Contrats tab), latest first."""
    user = current_user(request)
    party = party_get_for_user(user=user, pk=party_id)
    return paginate(contracts_for_user(user).filter(party=party).order_by("-start_date", "-id"), page)


@router.post("/parties/{party_id}/contracts", response={201: ContractOut, **errors(404)},
             summary="Create a contract",
             openapi_extra=etag_documented(201))
def create_contract(request: HttpRequest, response: HttpResponse, payload: ContractCreateIn,
                    party_id: int = PartyId) -> Status[Contract]:
    """Record a product held by the customer; an active contract makes a prospect a customer."""
    user = current_user(request)
    party = party_get_for_user(user=user, pk=party_id, for_write=True)
    data = payload.dict()
    data["product"] = _product(user, data["product"])
    contract = services.contract_create(party=party, actor=user, **data)
    set_etag(response, contract.version)
    return Status(201, selectors.contract_get_for_user(user=user, pk=contract.pk))


# --- transactions ----------------------------------------------------------------------------

def _transactions_reader(user: User) -> User:
    """Transactions exist only for those who may read them: 404 for the others, as for a page."""
    if not field_rights(user).transactions:
        raise Http404
    return user


def _audit_rows(user: User, page: dict[str, Any], *, party_id: int | None) -> dict[str, Any]:
    """One sensitive-read audit row for a page of transactions that has rows."""
    if page["items"]:
        audit_sensitive_read(user=user, fields=field_rights(user).transaction_fields(), party_id=party_id,
                             obj_type="sales.transaction")
    return page


@router.get("/transactions", response={200: TransactionPage, **errors()}, summary="List transactions")
def list_transactions(request: HttpRequest, filters: Query[TransactionFiltersIn], page: Query[PageIn]) -> dict[str, Any]:
    """Purchases and refunds of the customers the caller may read, latest first, within a date range."""
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        message = _("The end of the range is before its start.")
        raise ValidationFailed(message, fields={"date_to": [message]})
    user = _transactions_reader(current_user(request))
    chosen = selectors.TransactionFilters(**{k: v for k, v in filters.dict().items() if v is not None})
    return _audit_rows(user, paginate(selectors.transaction_list(user=user, filters=chosen), page),
                       party_id=chosen.party)


@router.get("/parties/{party_id}/transactions", response={200: TransactionPage, **errors(404)},
            summary="A customer's transactions")
def list_party_transactions(request: HttpRequest, page: Query[PageIn], party_id: int = PartyId) -> dict[str, Any]:
    """The customer's account movements (Mouvements tab), latest first."""
    user = current_user(request)
    party = party_get_for_user(user=user, pk=party_id)
    _transactions_reader(user)
    return _audit_rows(user, paginate(transactions_for_user(user).filter(party=party).order_by("-date", "-id"), page),
                       party_id=party.pk)


@router.post("/parties/{party_id}/transactions", response={201: TransactionOut, **errors(403, 404)},
             summary="Record a transaction")
def record_transaction(request: HttpRequest, payload: TransactionIn, party_id: int = PartyId) -> Status[Any]:
    """Record a purchase (negative amount: a refund); a purchase makes a prospect a customer."""
    user = current_user(request)
    party = party_get_for_user(user=user, pk=party_id, for_write=True)
    data = payload.dict()
    data["product"] = _product(user, data["product"])
    row = services.transaction_record(party=party, actor=user, **data)
    audit_sensitive_read(user=user, fields=field_rights(user).transaction_fields(), party_id=party.pk,
                         obj_type="sales.transaction")
    return Status(201, transactions_for_user(user).get(pk=row.pk))
