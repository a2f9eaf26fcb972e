"""Reads of marketing, always through the access rules of `accounts/policies.py`.

Promised to other apps (signatures are a contract):
`segment_members`, `campaign_response_signals`, `retention_effort_by_party`.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fidelia.accounts import policies
from fidelia.actions.compiler import matching_parties
from fidelia.marketing.enums import RecipientStatus, ResponseKind
from fidelia.marketing.models import (
    Campaign,
    CampaignRecipient,
    CampaignResponse,
    Segment,
    Solicitation,
)
from fidelia.parties.models import Party
from fidelia.parties.selectors import parties_for_user

if TYPE_CHECKING:
    from fidelia.accounts.models import User

# Responses that show interest (an unsubscribe or a refusal is an answer, not a response).
POSITIVE_RESPONSES = (ResponseKind.CLICK, ResponseKind.REPLY, ResponseKind.ORDER)


@dataclass(frozen=True)
class CampaignSignals:
    contacted_365d: int
    responded_365d: int


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def segments_for_user(user: User) -> QuerySet[Segment]:
    """Segments a user may open: marketers and whoever reads campaign results."""
    if not (policies.can_run_campaigns(user) or policies.can_view_campaigns(user)):
        return Segment.objects.none()
    return Segment.objects.all()


def segment_get_for_user(*, user: User, pk: Any) -> Segment:
    segment = segments_for_user(user).filter(pk=_pk(pk)).first()
    if segment is None:
        raise Http404
    return segment


def segment_evaluate(*, definition: Any, user: User, as_of: dt.date | None = None) -> QuerySet[Party]:
    """Live members of a definition, restricted to what `user` may read: ONE SQL query.
    Raises `ValidationFailed` naming the faulty clause."""
    base = parties_for_user(user).filter(erased_at__isnull=True)
    return matching_parties(definition, as_of=as_of or timezone.localdate(), base=base)


def segment_members(*, segment_id: int, user: User) -> QuerySet[Party]:
    """The parties of a saved segment that `user` may read (Http404 for an unknown segment)."""
    segment = Segment.objects.filter(pk=_pk(segment_id)).first()
    if segment is None:
        raise Http404
    return segment_evaluate(definition=segment.definition, user=user)


def campaigns_for_user(user: User) -> QuerySet[Campaign]:
    if not (policies.can_run_campaigns(user) or policies.can_view_campaigns(user)):
        return Campaign.objects.none()
    return Campaign.objects.select_related("segment")


def campaign_get_for_user(*, user: User, pk: Any) -> Campaign:
    campaign = campaigns_for_user(user).filter(pk=_pk(pk)).first()
    if campaign is None:
        raise Http404
    return campaign


def campaign_response_signals(*, as_of: dt.date) -> dict[int, CampaignSignals]:
    """party_id → messages received and campaigns answered in the 365 days before `as_of`."""
    start = timezone.make_aware(dt.datetime.combine(as_of - dt.timedelta(days=365), dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    contacted = dict(Solicitation.objects.filter(at__gte=start, at__lt=end).values("party_id")
                     .annotate(n=Count("id")).values_list("party_id", "n"))
    responded = dict(CampaignResponse.objects.filter(at__gte=start, at__lt=end, kind__in=POSITIVE_RESPONSES)
                     .values("recipient__party_id").annotate(n=Count("recipient__campaign_id", distinct=True))
                     .values_list("recipient__party_id", "n"))
    return {pid: CampaignSignals(contacted_365d=contacted.get(pid, 0), responded_365d=responded.get(pid, 0))
            for pid in set(contacted) | set(responded)}


def retention_effort_by_party(*, since: dt.date) -> dict[int, Decimal]:
    """party_id → commercial effort spent on them since `since`: for each campaign, its total cost
    shared equally among the messages it sent (fixed cost / sent + cost per message)."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    sent = CampaignRecipient.objects.filter(status=RecipientStatus.SENT, sent_at__gte=start)
    per_campaign = {row["campaign_id"]: row["n"] for row in sent.values("campaign_id").annotate(n=Count("id"))}
    costs = {c.pk: (c.fixed_cost / per_campaign[c.pk] if per_campaign[c.pk] else Decimal(0)) + c.cost_per_message
             for c in Campaign.objects.filter(pk__in=per_campaign).only("fixed_cost", "cost_per_message")}
    effort: dict[int, Decimal] = defaultdict(Decimal)
    for party_id, campaign_id in sent.values_list("party_id", "campaign_id").iterator(chunk_size=5000):
        effort[party_id] += costs[campaign_id]
    return {pid: value.quantize(Decimal("0.01")) for pid, value in effort.items()}


def party_campaign_history(*, party: Party, limit: int = 20) -> list[CampaignRecipient]:
    """The customer's last campaigns (for the customer file panel)."""
    return list(CampaignRecipient.objects.filter(party=party).select_related("campaign")
                .annotate(n_responses=Count("responses", filter=Q(responses__kind__in=POSITIVE_RESPONSES)))
                .order_by("-campaign__created_at")[:limit])
