from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from fidelia.core.api import MAX_ID, Page, text

Code12 = text(12)


class LoyaltyEntryOut(Schema):
    id: int
    kind: str
    points: int
    occurred_on: dt.date
    label: str


class LoyaltyProgrammeOut(Schema):
    id: int
    name: str
    is_active: bool
    points_per_euro: Decimal
    validity_months: int
    referrer_points: int
    referred_points: int


class LoyaltyMemberFilter(Schema):
    programme_id: int | None = Field(None, ge=1, le=MAX_ID, description="Only this programme's members.")
    party_id: int | None = Field(None, ge=1, le=MAX_ID, description="Only this customer's memberships.")


class LoyaltyProgrammeFilter(Schema):
    programme_id: int | None = Field(None, ge=1, le=MAX_ID,
                                     description="The programme (default: the first active one).")


class LoyaltyMemberOut(Schema):
    party_id: int
    programme_id: int
    programme: str = Field(..., alias="programme.name")
    joined_on: dt.date
    referral_code: str
    tier: str | None = Field(None, alias="tier.name")
    balance: int
    version: int


class LoyaltyMemberDetailOut(LoyaltyMemberOut):
    entries: list[LoyaltyEntryOut] = Field(..., alias="last_entries")


LoyaltyMemberPage = Page[LoyaltyMemberOut]


class LoyaltyRewardOut(Schema):
    id: int
    programme_id: int
    name: str
    description: str
    cost: int
    is_active: bool


class LoyaltyEnrolIn(Schema):
    party_id: int = Field(..., ge=1, le=MAX_ID)
    programme_id: int | None = Field(None, ge=1, le=MAX_ID, description="Default: the first active programme.")


class LoyaltyRedeemIn(Schema):
    reward_id: int = Field(..., ge=1, le=MAX_ID, description="The reward; its programme is the membership spent.")
    version: int = Field(..., ge=1, le=2**31 - 1, description="The member's version as read (stale: 412).")


class LoyaltyRedemptionOut(Schema):
    id: int
    reward_id: int
    points: int
    balance: int


class LoyaltyReferralIn(Schema):
    code: Code12 = Field(..., min_length=1)
    referred_party_id: int = Field(..., ge=1, le=MAX_ID)


class LoyaltyReferralOut(Schema):
    id: int
    status: str
    referred_party_id: int = Field(..., alias="referred_id")
