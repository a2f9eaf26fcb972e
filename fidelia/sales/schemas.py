"""API schemas for the catalogue, contracts (products held) and transactions."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, ClassVar

from ninja import Field, Schema

from fidelia.accounts.enums import SensitiveField
from fidelia.core.api import MAX_INT, Date, Id, Page, text
from fidelia.parties.schemas import PartyRefOut, SensitiveOut, StrictIn
from fidelia.sales.enums import (
    ContractStatus,
    LeadSource,
    LeadStatus,
    ProductKind,
    QuoteStatus,
    SalesChannel,
    StageOutcome,
)

Money = Annotated[Decimal, Field(max_digits=12, decimal_places=2, allow_inf_nan=False)]
PositiveMoney = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2, allow_inf_nan=False)]
Rate = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4, allow_inf_nan=False)]
Quantity = Annotated[int, Field(ge=1, le=MAX_INT)]


# --- catalogue -------------------------------------------------------------------------------

class ProductFamilyIn(Schema):
    name: text(120)
    description: text(5000) = ""


class ProductFamilyOut(Schema):
    id: int
    name: str
    description: str


class ProductRefOut(Schema):
    id: int
    code: str
    name: str


class ProductCreateIn(StrictIn):
    code: text(30)
    name: text(200)
    family: Id
    kind: ProductKind = Field(..., description="Strategic or tactical product.")
    price: PositiveMoney
    margin_rate: Rate = Field(..., description="Share of the price that is margin, between 0 and 1.")
    is_active: bool = True
    description: text(5000) = ""


class ProductUpdateIn(StrictIn):
    """Only the fields sent are changed."""

    code: text(30) = None
    name: text(200) = None
    family: Id = None
    kind: ProductKind = None
    price: PositiveMoney = None
    margin_rate: Rate = None
    is_active: bool = None
    description: text(5000) = None


class FamilyRefOut(Schema):
    id: int
    name: str


class ProductOut(SensitiveOut):
    """A product sheet; `margin_rate` is present only for roles that may read margins."""

    sensitive_keys: ClassVar[dict[str, str]] = {"margin_rate": SensitiveField.MARGINS}

    id: int
    code: str
    name: str
    family: FamilyRefOut
    kind: str
    price: Decimal
    margin_rate: Decimal = Field(Decimal(0), description="Present only for roles that may read margins.")
    is_active: bool
    description: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductListOut(ProductOut):
    holders: int = Field(..., description="Customers of the caller's portfolio holding it (active contract).")


class ProductPage(Page[ProductListOut]):
    pass


class ProductFiltersIn(Schema):
    family: Id | None = None
    kind: ProductKind | None = None
    is_active: bool | None = None
    q: text(100) | None = Field(None, description="Part of the code or name.")


# --- contracts -------------------------------------------------------------------------------

class ContractCreateIn(StrictIn):
    product: Id
    start_date: Date
    end_date: Date | None = None
    renewal_date: Date | None = None
    status: ContractStatus = ContractStatus.ACTIVE
    annual_amount: PositiveMoney = Decimal("0")
    reference: text(40) = Field("", description="Generated when left empty.")


class ContractUpdateIn(StrictIn):
    """Only the fields sent are changed."""

    product: Id = None
    start_date: Date = None
    end_date: Date | None = None
    renewal_date: Date | None = None
    status: ContractStatus = None
    annual_amount: PositiveMoney = None


class ContractOut(Schema):
    id: int
    reference: str
    party: PartyRefOut
    product: ProductRefOut
    start_date: dt.date
    end_date: dt.date | None
    renewal_date: dt.date | None
    status: str
    annual_amount: Decimal
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ContractPage(Page[ContractOut]):
    pass


class ContractFiltersIn(Schema):
    party: Id | None = None
    product: Id | None = None
    status: ContractStatus | None = None
    renewal_within: int | None = Field(None, ge=0, le=3660,
                                       description="Renewing within this many days (soonest first).")


# --- transactions ----------------------------------------------------------------------------

class TransactionIn(StrictIn):
    product: Id
    date: Date
    amount: Money = Field(..., description="Negative for a refund; never zero.")
    channel: SalesChannel
    quantity: Quantity = 1
    margin: Money | None = Field(None, description="Defaults to amount × the product's margin rate.")


class TransactionOut(SensitiveOut):
    """A purchase or refund; `margin` is present only for roles that may read margins."""

    sensitive_keys: ClassVar[dict[str, str]] = {"margin": SensitiveField.MARGINS}

    id: int
    party: PartyRefOut
    product: ProductRefOut
    date: dt.date
    quantity: int
    amount: Decimal
    margin: Decimal = Field(Decimal(0), description="Present only for roles that may read margins.")
    channel: str
    created_at: dt.datetime


class TransactionPage(Page[TransactionOut]):
    pass


class TransactionFiltersIn(Schema):
    date_from: Date | None = Field(None, description="First day included.")
    date_to: Date | None = Field(None, description="Last day included.")
    party: Id | None = None
    product: Id | None = None
    channel: SalesChannel | None = None


# --- sales force automation: leads, opportunities, stages, quotes, reports ---------------------------

Percent = Annotated[int, Field(ge=0, le=100)]
PercentDecimal = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2, allow_inf_nan=False)]
SmallQuantity = Annotated[int, Field(ge=1, le=1_000_000)]


class SalesUserOut(Schema):
    id: int
    first_name: str
    last_name: str


class StageOut(Schema):
    id: int
    code: str
    name: str
    position: int
    probability: int
    outcome: StageOutcome


class LostReasonOut(Schema):
    id: int
    label: str


class LeadOut(Schema):
    id: int
    version: int
    first_name: str
    last_name: str
    company: str
    email: str
    phone: str
    city: str
    source: LeadSource
    source_detail: str
    status: LeadStatus
    interest_id: int | None
    estimated_amount: Decimal | None
    message: str
    owner_id: int | None
    team_id: int | None
    consent_granted: bool
    party_id: int | None = Field(None, description="The customer file the lead was converted into.")
    created_at: dt.datetime
    converted_at: dt.datetime | None


LeadPage = Page[LeadOut]


class LeadFiltersIn(Schema):
    status: LeadStatus | None = None
    source: LeadSource | None = None
    owner: Id | None = None
    q: text(100) = ""


class LeadCreateIn(StrictIn):
    source: LeadSource
    first_name: text(100) = ""
    last_name: text(100) = ""
    company: text(200) = ""
    email: text(254) = ""
    phone: text(40) = ""
    city: text(120) = ""
    source_detail: text(200) = ""
    interest: Id | None = None
    estimated_amount: PositiveMoney | None = None
    message: text(5000) = ""
    owner: Id | None = None


class LeadUpdateIn(StrictIn):
    """Only the fields sent are changed."""

    status: LeadStatus = None
    first_name: text(100) = None
    last_name: text(100) = None
    company: text(200) = None
    email: text(254) = None
    phone: text(40) = None
    city: text(120) = None
    source: LeadSource = None
    source_detail: text(200) = None
    estimated_amount: PositiveMoney | None = None
    message: text(5000) = None
    owner: Id | None = None
    disqualified_reason: text(200) = None


class LeadConvertIn(StrictIn):
    attach_to: Id | None = Field(None, description="An existing customer to attach the lead to (after a 409).")
    allow_duplicate: bool = Field(False, description="Create a new customer even if it may already exist.")
    opportunity_name: text(200) = ""
    amount: PositiveMoney | None = None
    expected_close: Date | None = None


class WebLeadIn(Schema):
    """The public web-to-lead form. `website` is a honeypot: leave it empty. `started_at` is the Unix time
    (seconds) the form was displayed; a form filled faster than the minimum is refused as spam."""

    first_name: text(100) = ""
    last_name: text(100)
    email: text(254)
    phone: text(40) = ""
    company: text(200) = ""
    city: text(120) = ""
    message: text(5000) = ""
    consent: bool = Field(False, description="The person agrees to be contacted about offers.")
    consent_wording: text(1000) = ""
    source_detail: text(200) = ""
    website: text(200) = ""
    started_at: float | None = Field(None, ge=0, le=1e11)


class WebLeadOut(Schema):
    received: bool


class OpportunityLineOut(Schema):
    product: ProductRefOut
    quantity: int
    unit_price: Decimal


class OpportunityOut(Schema):
    id: int
    version: int
    name: str
    party: PartyRefOut
    owner: SalesUserOut | None
    team_id: int | None
    stage: StageOut
    amount: Decimal
    probability: int
    weighted_amount: Decimal
    expected_close: dt.date
    next_step: str
    next_step_on: dt.date | None
    lost_reason: LostReasonOut | None
    is_new_business: bool
    closed_on: dt.date | None
    created_at: dt.datetime


OpportunityPage = Page[OpportunityOut]


class OpportunityFiltersIn(Schema):
    owner: Id | None = None
    team: Id | None = None
    stage: Id | None = None
    date_from: Date | None = Field(None, description="Expected close on or after.")
    date_to: Date | None = Field(None, description="Expected close on or before.")
    q: text(100) = ""


class OpportunityCreateIn(StrictIn):
    party: Id
    name: text(200)
    amount: PositiveMoney
    expected_close: Date
    stage: Id | None = None
    probability: Percent | None = None
    next_step: text(200) = ""
    next_step_on: Date | None = None
    owner: Id | None = None
    products: list[Id] = Field(default_factory=list, max_length=50)


class OpportunityUpdateIn(StrictIn):
    """Only the fields sent are changed; the stage moves through /move."""

    name: text(200) = None
    amount: PositiveMoney = None
    probability: Percent = None
    expected_close: Date = None
    next_step: text(200) = None
    next_step_on: Date | None = None
    owner: Id | None = None


class OpportunityMoveIn(StrictIn):
    stage: Id
    lost_reason: Id | None = None
    lost_note: text(300) = ""


class StageChangeOut(Schema):
    from_stage_id: int | None
    to_stage_id: int
    changed_at: dt.datetime
    changed_by_id: int | None
    amount: Decimal


class BoardColumnOut(Schema):
    stage: StageOut
    count: int
    amount: Decimal
    weighted: Decimal


class BoardOut(Schema):
    columns: list[BoardColumnOut]
    count: int
    amount: Decimal
    weighted: Decimal


class QuoteLineIn(StrictIn):
    product: Id
    quantity: SmallQuantity = 1
    discount_rate: PercentDecimal = Decimal(0)
    vat_rate: PercentDecimal = Decimal(20)
    unit_price: PositiveMoney | None = Field(None, description="Defaults to the catalogue price.")
    label: text(200) = ""


class QuoteLineOut(Schema):
    product_id: int
    label: str
    quantity: int
    unit_price: Decimal
    discount_rate: Decimal
    vat_rate: Decimal


class QuoteOut(Schema):
    id: int
    version: int
    number: str
    party: PartyRefOut
    opportunity_id: int | None
    owner_id: int | None
    status: QuoteStatus
    issued_on: dt.date
    valid_until: dt.date
    notes: str
    total_excl_tax: Decimal
    total_tax: Decimal
    total_incl_tax: Decimal
    sent_at: dt.datetime | None
    lines: list[QuoteLineOut]

    @staticmethod
    def resolve_lines(obj: object) -> list[object]:
        return list(obj.lines.all())  # type: ignore[attr-defined]


QuotePage = Page[QuoteOut]


class QuoteFiltersIn(Schema):
    status: QuoteStatus | None = None
    party: Id | None = None
    q: text(100) = ""


class QuoteCreateIn(StrictIn):
    party: Id
    opportunity: Id | None = None
    valid_until: Date | None = None
    notes: text(5000) = ""
    lines: list[QuoteLineIn] = Field(..., min_length=1, max_length=100)


class QuoteUpdateIn(StrictIn):
    valid_until: Date = None
    notes: text(5000) = None
    lines: list[QuoteLineIn] = Field(None, min_length=1, max_length=100)


class QuoteSendIn(StrictIn):
    to: text(254) = Field("", description="Defaults to the customer's primary e-mail.")


class OrderOut(Schema):
    id: int
    number: str
    quote_id: int
    party_id: int
    ordered_on: dt.date
    total_excl_tax: Decimal
    total_incl_tax: Decimal
    contract_ids: list[int]
    transaction_ids: list[int]

    @staticmethod
    def resolve_contract_ids(obj: object) -> list[int]:
        return list(obj.contracts.values_list("pk", flat=True))  # type: ignore[attr-defined]

    @staticmethod
    def resolve_transaction_ids(obj: object) -> list[int]:
        return list(obj.transactions.values_list("pk", flat=True))  # type: ignore[attr-defined]


class ReportFiltersIn(Schema):
    date_from: Date | None = None
    date_to: Date | None = None
    owner: Id | None = None
    team: Id | None = None


class RepFigureOut(Schema):
    name: str
    count: int = 0
    amount: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)


class RepPerformanceOut(Schema):
    name: str
    won: int
    lost: int
    win_rate: float | None
    new_amount: Decimal
    existing_amount: Decimal


class FunnelStepOut(Schema):
    name: str
    reached: int
    conversion: float | None


class SalesReportOut(Schema):
    date_from: dt.date
    date_to: dt.date
    months: list[str]
    forecast_amount: list[Decimal]
    forecast_weighted: list[Decimal]
    weighted_total: Decimal
    forecast_by_rep: list[RepFigureOut]
    won: int
    lost: int
    win_rate: float | None
    cycle_days: float | None
    new_amount: Decimal
    existing_amount: Decimal
    by_rep: list[RepPerformanceOut]
    funnel: list[FunnelStepOut]
