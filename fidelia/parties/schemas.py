"""API input and output schemas for the customer file. Shapes only: rules live in the services."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from ninja import Field, Schema
from pydantic import (
    ConfigDict,
    GetJsonSchemaHandler,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
)

from fidelia.accounts import policies
from fidelia.accounts.enums import SensitiveField
from fidelia.core.api import Count, Date, DateTime, Id, Page, text
from fidelia.core.validation import format_phone
from fidelia.parties.enums import (
    Channel,
    Civility,
    ConsentPurpose,
    ConsentSource,
    ContactKind,
    Csp,
    IncomeBracket,
    Language,
    LifeEventKind,
    MemberRole,
    PartyKind,
    Stage,
)
from fidelia.parties.fields import BIRTH_EVENTS
from fidelia.parties.selectors import SORTS

Blank = Literal[""]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
PartySort = Literal[tuple(SORTS)]  # type: ignore[valid-type]


# --- field-level rights -------------------------------------------------------------------------

def readable_in(info: SerializationInfo) -> frozenset[str]:
    """The sensitive fields the API caller may read, from the serialisation context ninja passes
    (`{"request": ...}`); without a request nothing sensitive is readable (fail closed)."""
    request = (info.context or {}).get("request") if isinstance(info.context, dict) else None
    if request is None:
        return frozenset()
    cached = getattr(request, "_fidelia_readable", None)
    if cached is None:
        cached = policies.readable_sensitive(getattr(request, "auth", None) or getattr(request, "user", None))
        request._fidelia_readable = cached
    return cached


def _without_model_serializer(core_schema: Any) -> Any:
    """The core schema with the model's own serializer dropped (through ninja's validator wrapper)."""
    plain = dict(core_schema)
    if plain.get("type") == "model":
        plain.pop("serialization", None)
    elif isinstance(plain.get("schema"), dict):
        plain["schema"] = _without_model_serializer(plain["schema"])
    return plain


class SensitiveOut(Schema):
    """An output whose sensitive keys are *absent* (not null) for callers who may not read them.

    `sensitive_keys` maps an output key to its `SensitiveField`; `omit` may drop more keys
    depending on the row (e.g. a child's birth date only).
    """

    sensitive_keys: ClassVar[dict[str, str]] = {}

    def omit(self, readable: frozenset[str]) -> set[str]:
        return {key for key, name in self.sensitive_keys.items() if name not in readable}

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> Any:
        # The serializer below would make the documented response an untyped object: the API
        # documentation describes the fields as declared (those left out are not required).
        return super().__get_pydantic_json_schema__(_without_model_serializer(core_schema), handler)

    @model_serializer(mode="wrap")
    def _leave_out_unreadable(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for key in self.omit(readable_in(info)):
                data.pop(key, None)
        return data


class StrictIn(Schema):
    """An input that refuses keys it does not know (read-only fields such as `version`,
    `erased_at`, `created_at` included) instead of ignoring them: 422 naming the key."""

    model_config = ConfigDict(extra="forbid")


# --- references used in outputs --------------------------------------------------------------

class UserRefOut(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj: object) -> str:
        return str(obj)


class TeamRefOut(Schema):
    id: int
    name: str


class PartyRefOut(Schema):
    id: int
    kind: str
    display_name: str


# --- contact points, household, consent, life events -----------------------------------------

class AddressIn(Schema):
    kind: ContactKind = ContactKind.HOME
    line1: text(200)
    line2: text(200) = ""
    postcode: text(10)
    city: text(120)
    country: CountryCode = "FR"


class AddressAddIn(AddressIn):
    is_primary: bool = False


class AddressOut(Schema):
    id: int
    kind: str
    line1: str
    line2: str
    postcode: str
    city: str
    country: str
    is_primary: bool


class EmailIn(Schema):
    address: text(254)
    kind: ContactKind = ContactKind.HOME
    is_primary: bool = False


class EmailOut(Schema):
    id: int
    kind: str
    address: str
    is_primary: bool


class PhoneIn(Schema):
    number: text(40) = Field(..., examples=["06 12 34 56 78"])
    kind: ContactKind = ContactKind.MOBILE
    is_primary: bool = False


class PhoneOut(Schema):
    id: int
    kind: str
    number: str = Field(..., description="E.164, e.g. +33612345678.")
    display: str = Field(..., description="As people write it: 06 12 34 56 78 (France), international otherwise.")
    is_primary: bool

    @staticmethod
    def resolve_display(obj: object) -> str:
        return format_phone(obj.number)  # type: ignore[attr-defined]


class HouseholdMemberIn(StrictIn):
    role: MemberRole
    first_name: text(100)
    last_name: text(100) = ""
    birth_date: Date | None = None
    member_party: Id | None = Field(None, description="Id of the member's own customer file, if any.")


class HouseholdMemberOut(SensitiveOut):
    id: int
    role: str
    first_name: str
    last_name: str
    birth_date: dt.date | None = Field(None, description="Left out for a child unless the caller may read "
                                                         "children's birth dates.")
    member_party_id: int | None

    def omit(self, readable: frozenset[str]) -> set[str]:
        if self.role == MemberRole.CHILD and SensitiveField.CHILDREN_BIRTH_DATES not in readable:
            return {"birth_date"}
        return set()


class ConsentIn(Schema):
    channel: Channel
    purpose: ConsentPurpose
    granted: bool
    source: ConsentSource = ConsentSource.API
    wording: text(5000) = ""
    recorded_at: DateTime | None = Field(None, description="When the person decided; now by default.")


class ConsentOut(Schema):
    id: int
    channel: str
    purpose: str
    granted: bool
    source: str
    wording: str
    recorded_at: dt.datetime
    recorded_by: UserRefOut | None


class ConsentStateOut(Schema):
    """The latest decision for a (channel, purpose)."""

    channel: str
    purpose: str
    current: ConsentOut | None


class LifeEventIn(Schema):
    kind: LifeEventKind
    date: Date
    details: text(200) = ""
    member: Id | None = Field(None, description="Id of a household member of this customer.")


class LifeEventOut(SensitiveOut):
    id: int
    kind: str
    date: dt.date | None = Field(None, description="Left out for a birth unless the caller may read "
                                                   "children's birth dates.")
    details: str
    member_id: int | None
    created_at: dt.datetime

    def omit(self, readable: frozenset[str]) -> set[str]:
        if self.kind in BIRTH_EVENTS and SensitiveField.CHILDREN_BIRTH_DATES not in readable:
            return {"date"}
        return set()


# --- parties -----------------------------------------------------------------------------------

class PartyFields(StrictIn):
    """Identity and relationship fields shared by create and update."""

    stage: Stage = Stage.PROSPECT
    civility: Civility = Civility.NONE
    first_name: text(100) = ""
    last_name: text(100) = ""
    birth_date: Date | None = None
    csp: Csp | Blank = ""
    income_bracket: IncomeBracket | Blank = ""
    organisation: Id | None = Field(None, description="Id of the organisation a contact works for.")
    job_title: text(120) = ""
    legal_name: text(200) = ""
    siren: text(20) = ""
    siret: text(30) = ""
    vat_number: text(30) = ""
    sector: text(120) = ""
    employees: Count | None = None
    parent: Id | None = Field(None, description="Id of the parent company.")
    preferred_channel: Channel | Blank = ""
    language: Language = Field(Language.FRENCH, description="The language the customer is written to in: "
                                                            "`fr` (default) or `en`.")
    owner: Id | None = Field(None, description="User id of the account manager.")
    team: Id | None = Field(None, description="Team / agency id.")
    notes: text(10000) = ""
    customer_since: Date | None = None


class PartyCreateIn(PartyFields):
    kind: PartyKind
    email: text(254) = ""
    phone: text(40) = ""
    address: AddressIn | None = None
    tags: list[text(60)] = Field(default_factory=list, max_length=50)
    allow_duplicate: bool = Field(False, description="Create even if possible duplicates exist (409 otherwise).")


class PartyUpdateIn(PartyFields):
    """Only the fields sent are changed. `tags`, when sent, replaces the whole set."""

    tags: list[text(60)] | None = Field(None, max_length=50)


class PartyListOut(Schema):
    id: int
    kind: str
    stage: str
    display_name: str
    email: str
    phone: str
    phone_display: str
    postcode: str
    city: str
    language: str
    owner: UserRefOut | None
    team: TeamRefOut | None
    tags: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_phone_display(obj: object) -> str:
        return format_phone(obj.phone) if obj.phone else ""  # type: ignore[attr-defined]

    @staticmethod
    def resolve_tags(obj: object) -> list[str]:
        return [t.name for t in obj.tags.all()]  # type: ignore[attr-defined]


class PartyPage(Page[PartyListOut]):
    pass


class ContractBriefOut(Schema):
    id: int
    reference: str
    product_id: int
    product_name: str
    status: str
    start_date: dt.date
    end_date: dt.date | None
    renewal_date: dt.date | None
    annual_amount: Decimal

    @staticmethod
    def resolve_product_name(obj: object) -> str:
        return obj.product.name  # type: ignore[attr-defined]


class InteractionBriefOut(Schema):
    id: int
    channel: str
    direction: str
    subject: str
    outcome: str
    occurred_at: dt.datetime
    author: UserRefOut | None


class TransactionBriefOut(SensitiveOut):
    sensitive_keys: ClassVar[dict[str, str]] = {"margin": SensitiveField.MARGINS}

    id: int
    date: dt.date
    product_id: int
    quantity: int
    amount: Decimal
    margin: Decimal = Field(Decimal(0), description="Present only for roles that may read margins.")
    channel: str


class PartyOut(PartyListOut, SensitiveOut):
    """The single customer file (fiche client unique).

    Sensitive keys are left out for roles that may not read them: `income_bracket` (persons
    only), `recent_transactions`, a child's `birth_date`, a transaction's `margin`."""

    sensitive_keys: ClassVar[dict[str, str]] = {"income_bracket": SensitiveField.INCOME_BRACKET,
                                                "recent_transactions": SensitiveField.TRANSACTIONS}

    civility: str
    first_name: str
    last_name: str
    birth_date: dt.date | None
    csp: str
    income_bracket: str = Field("", description="Persons only; present only for roles that may read it.")
    organisation: PartyRefOut | None
    job_title: str
    legal_name: str
    siren: str
    siret: str
    vat_number: str
    sector: str
    employees: int | None
    parent: PartyRefOut | None
    preferred_channel: str
    language: str = Field(..., description="`fr` or `en`: the language campaigns, surveys and letters use.")
    notes: str
    customer_since: dt.date | None
    emails: list[EmailOut]
    phones: list[PhoneOut]
    addresses: list[AddressOut]
    household_members: list[HouseholdMemberOut]
    life_events: list[LifeEventOut]
    consents: list[ConsentStateOut] = Field(..., description="Current decision per channel and purpose.")
    contacts: list[PartyRefOut] = Field(..., description="People working for this organisation.")
    subsidiaries: list[PartyRefOut]
    contracts: list[ContractBriefOut]
    recent_interactions: list[InteractionBriefOut]
    recent_transactions: list[TransactionBriefOut] = Field(
        default_factory=list, description="Present only for roles that may read transactions.")

    @staticmethod
    def resolve_consents(obj: object) -> list[object]:
        return obj.consent_states  # type: ignore[attr-defined]

    def omit(self, readable: frozenset[str]) -> set[str]:
        keys = super().omit(readable)
        if self.kind != PartyKind.PERSON:
            keys.add("income_bracket")  # an organisation has no income bracket
        return keys


class PartySearchOut(Schema):
    id: int
    kind: str
    stage: str
    display_name: str
    email: str
    phone: str
    phone_display: str
    postcode: str
    city: str

    @staticmethod
    def resolve_phone_display(obj: object) -> str:
        return format_phone(obj.phone) if obj.phone else ""  # type: ignore[attr-defined]


class PartyFiltersIn(Schema):
    stage: Stage | None = None
    kind: PartyKind | None = None
    owner: Id | None = None
    team: Id | None = None
    tag: text(60) | None = None
    city: text(120) | None = None
    postcode: text(10) | None = None
    q: text(200) | None = Field(None, description="Words of the name, e-mail, phone, SIREN or city.")
    csp: Csp | None = None
    income_bracket: IncomeBracket | None = None
    preferred_channel: Channel | None = None
    min_age: int | None = Field(None, ge=0, le=130, description="Persons at least this old.")
    max_age: int | None = Field(None, ge=0, le=130, description="Persons at most this old.")
    sort: PartySort = "name"


class SearchIn(Schema):
    q: text(200) = Field(..., description="What the user typed: name (typos tolerated), e-mail, phone, SIREN…")
    limit: int = Field(10, ge=1, le=50)


class DuplicateCheckIn(Schema):
    email: text(254) = ""
    phone: text(40) = ""
    siren: text(20) = ""
    name: text(200) = Field("", description="Full name or legal name.")
    birth_date: Date | None = None
    postcode: text(10) = ""
    exclude: Id | None = Field(None, description="Id of the party being edited, left out of the results.")
