"""REST API of loyalty: members (balance = the ledger's sum, tier, last entries), rewards, enrolling,
redeeming, recording a referral. Members are those of the customers the caller may read (404 beyond).
"""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.core.api import PageIn, RowId, current_user, errors, paginate, resolve
from fidelia.loyalty import selectors, services
from fidelia.loyalty.models import Programme, Reward
from fidelia.loyalty.schemas import (
    LoyaltyEnrolIn,
    LoyaltyMemberDetailOut,
    LoyaltyMemberFilter,
    LoyaltyMemberOut,
    LoyaltyMemberPage,
    LoyaltyProgrammeFilter,
    LoyaltyProgrammeOut,
    LoyaltyRedeemIn,
    LoyaltyRedemptionOut,
    LoyaltyReferralIn,
    LoyaltyReferralOut,
    LoyaltyRewardOut,
)
from fidelia.parties.selectors import party_get_for_user

router = Router(tags=["Loyalty"])


def _user(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_use_loyalty(user):
        raise Http404
    return user


@router.get("/loyalty/programmes", response={200: list[LoyaltyProgrammeOut], **errors(404)},
            summary="Loyalty programmes (the active ones first)")
def list_programmes(request: HttpRequest) -> Any:
    _user(request)
    return selectors.programmes_all()


@router.get("/loyalty/members", response={200: LoyaltyMemberPage, **errors(404)},
            summary="Loyalty members (one row per membership: a customer may belong to several programmes)")
def list_members(request: HttpRequest, page: Query[PageIn], filters: Query[LoyaltyMemberFilter]) -> dict[str, Any]:
    qs = selectors.members_for_user(_user(request))
    if filters.programme_id is not None:
        qs = qs.filter(programme_id=filters.programme_id)
    if filters.party_id is not None:
        qs = qs.filter(party_id=filters.party_id)
    return paginate(qs, page)


@router.get("/loyalty/members/{party_id}", response={200: LoyaltyMemberDetailOut, **errors(404)},
            summary="A customer's membership in a programme (default: the first active), balance, last entries")
def get_member(request: HttpRequest, filters: Query[LoyaltyProgrammeFilter], party_id: int = RowId) -> Any:
    member = selectors.member_get_for_user(user=_user(request), party_id=party_id, programme_id=filters.programme_id)
    member.last_entries = selectors.ledger_of(member)
    return member


@router.post("/loyalty/members", response={201: LoyaltyMemberOut, **errors(404, 422)},
             summary="Enrol a customer in a programme (default: the first active)")
def enrol(request: HttpRequest, payload: LoyaltyEnrolIn) -> Status[Any]:
    user = _user(request)
    party = party_get_for_user(user=user, pk=payload.party_id)
    programme = (resolve(Programme.objects.all(), payload.programme_id, field="programme_id")
                 if payload.programme_id is not None else selectors.programme_current())
    if programme is None:
        raise Http404
    services.membership_enrol(programme=programme, party=party, actor=user)
    return Status(201, selectors.member_get_for_user(user=user, party_id=party.pk, programme_id=programme.pk))


@router.get("/loyalty/rewards", response={200: list[LoyaltyRewardOut], **errors(404)},
            summary="Available rewards of a programme (default: the first active)")
def list_rewards(request: HttpRequest, filters: Query[LoyaltyProgrammeFilter]) -> Any:
    _user(request)
    if filters.programme_id is not None:
        return list(Reward.objects.filter(programme_id=filters.programme_id, is_active=True))
    programme = selectors.programme_current()
    return list(selectors.rewards_of(programme)) if programme else []


@router.post("/loyalty/members/{party_id}/redemptions", response={201: LoyaltyRedemptionOut, **errors(404, 412, 422)},
             summary="Redeem a reward from the customer's membership in the reward's programme (refused: short "
                     "balance 422, unavailable reward 422, stale version 412; not a member of that programme 404)")
def redeem(request: HttpRequest, payload: LoyaltyRedeemIn, party_id: int = RowId) -> Status[dict[str, Any]]:
    user = _user(request)
    party = party_get_for_user(user=user, pk=party_id)
    reward = resolve(Reward.objects.all(), payload.reward_id, field="reward_id")
    assert reward is not None
    member = selectors.member_get_for_user(user=user, party_id=party.pk, programme_id=reward.programme_id)
    done = services.reward_redeem(membership=member, reward=reward, actor=user, version=payload.version)
    return Status(201, {"id": done.pk, "reward_id": reward.pk, "points": done.points,
                        "balance": services.balance_of(member.pk)})


@router.post("/loyalty/referrals", response={201: LoyaltyReferralOut, **errors(404, 422)},
             summary="Record that a member (by code) referred a prospect")
def refer(request: HttpRequest, payload: LoyaltyReferralIn) -> Status[Any]:
    user = _user(request)
    referred = party_get_for_user(user=user, pk=payload.referred_party_id)
    return Status(201, services.referral_register(code=payload.code, referred=referred, actor=user))
