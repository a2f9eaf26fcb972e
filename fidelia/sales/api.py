"""REST API of the catalogue, the products held by customers (contracts) and their transactions.

The catalogue is readable by everyone and changed only by those `policies.can_edit_catalogue`
allows (403 otherwise). Contracts and transactions follow the customer's portfolio: 404 outside it.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core import ratelimit
from fidelia.core.api import (
    IF_MATCH,
    PageIn,
    PartyId,
    RateLimited,
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
from fidelia.parties.selectors import parties_for_user, party_get_for_user
from fidelia.privacy.reads import audit_sensitive_read
from fidelia.sales import selectors, services
from fidelia.sales.models import (
    Contract,
    Lead,
    LostReason,
    Opportunity,
    PipelineStage,
    Product,
    ProductFamily,
    Quote,
)
from fidelia.sales.schemas import (
    BoardOut,
    ContractCreateIn,
    ContractFiltersIn,
    ContractOut,
    ContractPage,
    ContractUpdateIn,
    LeadConvertIn,
    LeadCreateIn,
    LeadFiltersIn,
    LeadOut,
    LeadPage,
    LeadUpdateIn,
    LostReasonOut,
    OpportunityCreateIn,
    OpportunityFiltersIn,
    OpportunityMoveIn,
    OpportunityOut,
    OpportunityPage,
    OpportunityUpdateIn,
    OrderOut,
    ProductCreateIn,
    ProductFamilyIn,
    ProductFamilyOut,
    ProductFiltersIn,
    ProductOut,
    ProductPage,
    ProductUpdateIn,
    QuoteCreateIn,
    QuoteFiltersIn,
    QuoteOut,
    QuotePage,
    QuoteSendIn,
    QuoteUpdateIn,
    ReportFiltersIn,
    SalesReportOut,
    StageChangeOut,
    StageOut,
    TransactionFiltersIn,
    TransactionIn,
    TransactionOut,
    TransactionPage,
    WebLeadIn,
    WebLeadOut,
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


# --- sales force automation: stages, leads, opportunities, board, quotes, reports -----------------------
# Every record follows `policies.pipeline_read_filter` (owner/team): 404 outside it.


def _pipeline_user(request: HttpRequest) -> User:
    user = current_user(request)
    if not policies.can_work_pipeline(user):
        raise Http404
    return user


def _owner(user: User, pk: int | None) -> User | None:
    """An owner the acting user may hand records to: themselves, or (managers, admins) a rep they may read."""
    if pk is None:
        return None
    candidates = User.objects.filter(is_active=True, role__in=["sales_rep", "sales_manager"])
    if user.role == "sales_rep":
        candidates = candidates.filter(pk=user.pk)
    elif user.role == "sales_manager":
        candidates = candidates.filter(team_id=user.team_id)
    return resolve(candidates, pk, field="owner")


@router.get("/pipeline/stages", response={200: list[StageOut], **errors()}, summary="List pipeline stages")
def list_stages(request: HttpRequest) -> Any:
    """The stages in board order, with their default probability and outcome."""
    _pipeline_user(request)
    return PipelineStage.objects.filter(is_active=True).order_by("position", "id")


@router.get("/pipeline/lost-reasons", response={200: list[LostReasonOut], **errors()}, summary="List lost reasons")
def list_lost_reasons(request: HttpRequest) -> Any:
    _pipeline_user(request)
    return LostReason.objects.filter(is_active=True)


@router.get("/pipeline/board", response={200: BoardOut, **errors()}, summary="Pipeline totals per stage")
def pipeline_board(request: HttpRequest, filters: Query[OpportunityFiltersIn]) -> Any:
    """Count, amount and weighted amount per stage of the opportunities the caller may read."""
    user = _pipeline_user(request)
    return selectors.pipeline_board(user=user, filters=selectors.PipelineFilters(**filters.dict()), limit=0)


@router.get("/leads", response={200: LeadPage, **errors()}, summary="List leads")
def list_leads(request: HttpRequest, filters: Query[LeadFiltersIn], page: Query[PageIn]) -> dict[str, Any]:
    user = _pipeline_user(request)
    chosen = selectors.LeadFilters(status=filters.status or "", source=filters.source or "", owner=filters.owner,
                                   q=filters.q)
    return paginate(selectors.lead_list(user=user, filters=chosen), page)


@router.get("/leads/{lead_id}", response={200: LeadOut, **errors(404)}, summary="Get a lead",
            openapi_extra=etag_documented())
def get_lead(request: HttpRequest, response: HttpResponse, lead_id: int = RowId) -> Lead:
    lead = selectors.lead_get_for_user(user=_pipeline_user(request), pk=lead_id)
    set_etag(response, lead.version)
    return lead


@router.post("/leads", response={201: LeadOut, **errors()}, summary="Create a lead",
             openapi_extra=etag_documented(201))
def create_lead(request: HttpRequest, response: HttpResponse, payload: LeadCreateIn) -> Status[Lead]:
    user = _pipeline_user(request)
    data = payload.dict()
    data["owner"] = _owner(user, data["owner"])
    data["interest"] = _product(user, data["interest"], "interest")
    lead = services.lead_create(actor=user, **data)
    set_etag(response, lead.version)
    return Status(201, lead)


@router.patch("/leads/{lead_id}", response={200: LeadOut, **errors(404, 412, 428)}, summary="Update a lead",
              openapi_extra=etag_documented())
def update_lead(request: HttpRequest, response: HttpResponse, payload: LeadUpdateIn, lead_id: int = RowId,
                if_match: str | None = IF_MATCH) -> Lead:
    """Qualify, reassign or correct a lead. Needs If-Match: 428 without, 412 if stale."""
    user = _pipeline_user(request)
    lead = selectors.lead_get_for_user(user=user, pk=lead_id)
    version = if_match_version(if_match)
    changes = payload.dict(exclude_unset=True)
    nulls = [k for k, v in changes.items() if v is None and k not in {"owner", "estimated_amount"}]
    if nulls:
        raise ValidationFailed(_("Some fields are not valid."), fields={k: [_("This field cannot be null.")] for k in nulls})
    if "owner" in changes:
        changes["owner"] = _owner(user, changes["owner"])
        changes["team"] = changes["owner"].team if changes["owner"] else lead.team
    lead = services.lead_update(lead=lead, actor=user, version=version, **changes)
    set_etag(response, lead.version)
    return lead


@router.post("/leads/{lead_id}/convert", response={201: OpportunityOut, **errors(404, 409, 412, 428)},
             summary="Convert a lead into a customer and an opportunity")
def convert_lead(request: HttpRequest, payload: LeadConvertIn, lead_id: int = RowId,
                 if_match: str | None = IF_MATCH) -> Status[Opportunity]:
    """Creates the customer (409 with the candidates when it may already exist: send `attach_to` one of
    them, or `allow_duplicate`) and an opportunity, in one transaction. Needs If-Match."""
    user = _pipeline_user(request)
    lead = selectors.lead_get_for_user(user=user, pk=lead_id)
    version = if_match_version(if_match)
    data = payload.dict()
    if data["attach_to"] is not None:
        data["attach_to"] = resolve(parties_for_user(user), data["attach_to"], field="attach_to")
    opportunity = services.lead_convert(lead=lead, actor=user, version=version, **data)
    return Status(201, selectors.opportunity_get_for_user(user=user, pk=opportunity.pk))


@router.post("/web-leads", response={201: WebLeadOut, **errors(429)}, auth=None,
             summary="Web-to-lead form (public)")
def web_lead(request: HttpRequest, payload: WebLeadIn) -> Status[dict[str, bool]]:
    """The public endpoint behind a website's contact form: no authentication, no CSRF token, JSON body
    (the HTML form variant posts to /sales/leads/web/). Rate-limited per address (FIDELIA_WEB_LEAD_RATE,
    429 beyond). Spam: `website` must stay empty (hidden field) and `started_at` not be less than
    FIDELIA_WEB_LEAD_MIN_SECONDS ago. The consent is stored with its proof."""
    decision = ratelimit.hit("web_lead", f"ip:{ratelimit.client_ip(request) or 'unknown'}")
    if not decision.allowed:
        raise RateLimited(decision.retry_after)
    data = payload.dict()
    services.lead_capture_web(
        proof=_proof(request), honeypot=data.pop("website"), started_at=data.pop("started_at"),
        min_fill_seconds=settings.FIDELIA_WEB_LEAD_MIN_SECONDS, **data)
    return Status(201, {"received": True})


def _proof(request: HttpRequest) -> dict[str, str]:
    return {"ip": ratelimit.client_ip(request) or "", "user_agent": request.headers.get("User-Agent", "")[:300],
            "page": request.headers.get("Referer", "")[:500]}


@router.get("/opportunities", response={200: OpportunityPage, **errors()}, summary="List opportunities")
def list_opportunities(request: HttpRequest, filters: Query[OpportunityFiltersIn], page: Query[PageIn]) -> dict[str, Any]:
    user = _pipeline_user(request)
    return paginate(selectors.opportunity_list(user=user, filters=selectors.PipelineFilters(**filters.dict())), page)


@router.get("/opportunities/{opportunity_id}", response={200: OpportunityOut, **errors(404)},
            summary="Get an opportunity", openapi_extra=etag_documented())
def get_opportunity(request: HttpRequest, response: HttpResponse, opportunity_id: int = RowId) -> Opportunity:
    opportunity = selectors.opportunity_get_for_user(user=_pipeline_user(request), pk=opportunity_id)
    set_etag(response, opportunity.version)
    return opportunity


@router.get("/opportunities/{opportunity_id}/history", response={200: list[StageChangeOut], **errors(404)},
            summary="An opportunity's stage history")
def opportunity_history(request: HttpRequest, opportunity_id: int = RowId) -> Any:
    opportunity = selectors.opportunity_get_for_user(user=_pipeline_user(request), pk=opportunity_id)
    return selectors.opportunity_history(opportunity=opportunity)


@router.post("/opportunities", response={201: OpportunityOut, **errors(404)}, summary="Create an opportunity",
             openapi_extra=etag_documented(201))
def create_opportunity(request: HttpRequest, response: HttpResponse, payload: OpportunityCreateIn) -> Status[Opportunity]:
    user = _pipeline_user(request)
    data = payload.dict()
    party = resolve(parties_for_user(user), data.pop("party"), field="party")
    stage = resolve(PipelineStage.objects.filter(is_active=True), data.pop("stage"), field="stage")
    products = [(_product(user, pk, "products"), 1) for pk in data.pop("products")]
    data["owner"] = _owner(user, data["owner"])
    opportunity = services.opportunity_create(party=party, actor=user, stage=stage, products=products, **data)
    set_etag(response, opportunity.version)
    return Status(201, selectors.opportunity_get_for_user(user=user, pk=opportunity.pk))


@router.patch("/opportunities/{opportunity_id}", response={200: OpportunityOut, **errors(404, 412, 428)},
              summary="Update an opportunity", openapi_extra=etag_documented())
def update_opportunity(request: HttpRequest, response: HttpResponse, payload: OpportunityUpdateIn,
                       opportunity_id: int = RowId, if_match: str | None = IF_MATCH) -> Opportunity:
    """Change the fields sent. Needs If-Match: 428 without, 412 if stale."""
    user = _pipeline_user(request)
    opportunity = selectors.opportunity_get_for_user(user=user, pk=opportunity_id)
    version = if_match_version(if_match)
    changes = payload.dict(exclude_unset=True)
    nulls = [k for k, v in changes.items() if v is None and k not in {"owner", "next_step_on"}]
    if nulls:
        raise ValidationFailed(_("Some fields are not valid."), fields={k: [_("This field cannot be null.")] for k in nulls})
    if "owner" in changes:
        changes["owner"] = _owner(user, changes["owner"])
    services.opportunity_update(opportunity=opportunity, actor=user, version=version, **changes)
    opportunity = selectors.opportunity_get_for_user(user=user, pk=opportunity_id)
    set_etag(response, opportunity.version)
    return opportunity


@router.post("/opportunities/{opportunity_id}/move", response={200: OpportunityOut, **errors(404, 412, 428)},
             summary="Move an opportunity to another stage", openapi_extra=etag_documented())
def move_opportunity(request: HttpRequest, response: HttpResponse, payload: OpportunityMoveIn,
                     opportunity_id: int = RowId, if_match: str | None = IF_MATCH) -> Opportunity:
    """The board's drag and drop. Needs If-Match (the card's version): 428 without, 412 if someone moved
    or edited it meanwhile — nothing is written then. A lost stage needs `lost_reason`."""
    user = _pipeline_user(request)
    opportunity = selectors.opportunity_get_for_user(user=user, pk=opportunity_id)
    version = if_match_version(if_match)
    stage = resolve(PipelineStage.objects.all(), payload.stage, field="stage")
    reason = resolve(LostReason.objects.filter(is_active=True), payload.lost_reason, field="lost_reason")
    services.opportunity_move_stage(opportunity=opportunity, stage=stage, actor=user, version=version,
                                    lost_reason=reason, lost_note=payload.lost_note)
    opportunity = selectors.opportunity_get_for_user(user=user, pk=opportunity_id)
    set_etag(response, opportunity.version)
    return opportunity


def _quote_lines(user: User, lines: list[Any]) -> list[services.QuoteLineInput]:
    return [services.QuoteLineInput(product=_product(user, line.product, f"lines.{i}.product"), quantity=line.quantity,
                                    discount_rate=line.discount_rate, vat_rate=line.vat_rate,
                                    unit_price=line.unit_price, label=line.label)
            for i, line in enumerate(lines)]


def _quote(user: User, pk: int) -> Quote:
    return selectors.quote_get_for_user(user=user, pk=pk)


@router.get("/quotes", response={200: QuotePage, **errors()}, summary="List quotes")
def list_quotes(request: HttpRequest, filters: Query[QuoteFiltersIn], page: Query[PageIn]) -> dict[str, Any]:
    user = _pipeline_user(request)
    chosen = selectors.QuoteFilters(status=filters.status or "", party=filters.party, q=filters.q)
    return paginate(selectors.quote_list(user=user, filters=chosen).prefetch_related("lines"), page)


@router.get("/quotes/{quote_id}", response={200: QuoteOut, **errors(404)}, summary="Get a quote",
            openapi_extra=etag_documented())
def get_quote(request: HttpRequest, response: HttpResponse, quote_id: int = RowId) -> Quote:
    quote = _quote(_pipeline_user(request), quote_id)
    set_etag(response, quote.version)
    return quote


@router.post("/quotes", response={201: QuoteOut, **errors(404)}, summary="Create a quote",
             openapi_extra=etag_documented(201))
def create_quote(request: HttpRequest, response: HttpResponse, payload: QuoteCreateIn) -> Status[Quote]:
    """A draft quote; lines are priced from the catalogue unless `unit_price` is sent."""
    user = _pipeline_user(request)
    party = resolve(parties_for_user(user), payload.party, field="party")
    opportunity = resolve(selectors.opportunities_for_user(user), payload.opportunity, field="opportunity")
    quote = services.quote_create(party=party, actor=user, opportunity=opportunity, valid_until=payload.valid_until,
                                  notes=payload.notes, lines=_quote_lines(user, payload.lines))
    set_etag(response, quote.version)
    return Status(201, _quote(user, quote.pk))


@router.patch("/quotes/{quote_id}", response={200: QuoteOut, **errors(404, 412, 428)}, summary="Update a draft quote",
              openapi_extra=etag_documented())
def update_quote(request: HttpRequest, response: HttpResponse, payload: QuoteUpdateIn, quote_id: int = RowId,
                 if_match: str | None = IF_MATCH) -> Quote:
    """Lines sent replace all the lines. Needs If-Match: 428 without, 412 if stale."""
    user = _pipeline_user(request)
    quote = _quote(user, quote_id)
    version = if_match_version(if_match)
    lines = _quote_lines(user, payload.lines) if payload.lines is not None else None
    services.quote_update(quote=quote, actor=user, version=version, lines=lines, valid_until=payload.valid_until,
                          notes=payload.notes)
    quote = _quote(user, quote_id)
    set_etag(response, quote.version)
    return quote


@router.post("/quotes/{quote_id}/send", response={200: QuoteOut, **errors(404, 412, 428)},
             summary="E-mail a quote to the customer", openapi_extra=etag_documented())
def send_quote(request: HttpRequest, response: HttpResponse, payload: QuoteSendIn, quote_id: int = RowId,
               if_match: str | None = IF_MATCH) -> Quote:
    """Sends the PDF to `to` (default: the customer's primary e-mail) and logs it in the timeline."""
    user = _pipeline_user(request)
    quote = _quote(user, quote_id)
    services.quote_send(quote=quote, actor=user, version=if_match_version(if_match), to=payload.to)
    quote = _quote(user, quote_id)
    set_etag(response, quote.version)
    return quote


@router.post("/quotes/{quote_id}/accept", response={201: OrderOut, **errors(404, 412, 428)},
             summary="Record the customer's acceptance of a quote")
def accept_quote(request: HttpRequest, quote_id: int = RowId, if_match: str | None = IF_MATCH) -> Status[Any]:
    """Creates the order, its contracts and transactions, and wins the opportunity. Needs If-Match."""
    user = _pipeline_user(request)
    quote = _quote(user, quote_id)
    return Status(201, services.quote_accept(quote=quote, actor=user, version=if_match_version(if_match)))


@router.post("/quotes/{quote_id}/refuse", response={200: QuoteOut, **errors(404, 412, 428)},
             summary="Record the customer's refusal of a quote", openapi_extra=etag_documented())
def refuse_quote(request: HttpRequest, response: HttpResponse, quote_id: int = RowId,
                 if_match: str | None = IF_MATCH) -> Quote:
    user = _pipeline_user(request)
    services.quote_refuse(quote=_quote(user, quote_id), actor=user, version=if_match_version(if_match))
    quote = _quote(user, quote_id)
    set_etag(response, quote.version)
    return quote


@router.get("/sales-reports", response={200: SalesReportOut, **errors()}, summary="Sales force reports")
def sales_reports(request: HttpRequest, filters: Query[ReportFiltersIn]) -> Any:
    """Weighted forecast by month and rep, win rate, cycle length, stage funnel, new vs existing business."""
    user = current_user(request)
    if not policies.can_view_sales_reports(user):
        raise Http404
    return selectors.sales_report(user=user, **filters.dict())
