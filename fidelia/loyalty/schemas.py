from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from fidelia.core.api import MAX_ID, Page, text

Code12 = text(12)


class LoyaltyEntryOut(Schema):
    id: int
    kind: str
    points: int
    occurred_on: dt.date
    label: str


class LoyaltyMemberOut(Schema):
    party_id: int
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
    name: str
    description: str
    cost: int
    is_active: bool


class LoyaltyEnrolIn(Schema):
    party_id: int = Field(..., ge=1, le=MAX_ID)


class LoyaltyRedeemIn(Schema):
    reward_id: int = Field(..., ge=1, le=MAX_ID)
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
