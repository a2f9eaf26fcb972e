"""API schemas for the catalogue, contracts (products held) and transactions."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, ClassVar

from ninja import Field, Schema

from fidelia.accounts.enums import SensitiveField
from fidelia.core.api import MAX_INT, Date, Id, Page, text
from fidelia.parties.schemas import PartyRefOut, SensitiveOut, StrictIn
from fidelia.sales.enums import ContractStatus, ProductKind, SalesChannel

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
