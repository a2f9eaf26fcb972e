"""Campaign messages in the customer timeline, read from the recipients table at display time.

A campaign reaches hundreds of thousands of people: no interaction row is written per message.
The timeline (`parties.timeline`) asks this source for a party's sent messages and merges them by
date. Held-out (control) and excluded recipients received nothing and do not appear.
"""
from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.marketing.enums import CampaignChannel, RecipientStatus, ResponseKind
from fidelia.marketing.models import CampaignRecipient, CampaignResponse
from fidelia.parties.models import Party
from fidelia.parties.timeline import (
    EntryResponse,
    TimelineEntry,
    TimelineSource,
    register_timeline_source,
)


def _sent(party: Party):  # noqa: ANN202 - a queryset of CampaignRecipient
    return CampaignRecipient.objects.filter(party_id=party.pk, status=RecipientStatus.SENT, sent_at__isnull=False)


def campaign_entries(party: Party, user: User, limit: int) -> list[TimelineEntry]:
    """The party's received campaign messages, newest first, with the responses they drew."""
    if limit <= 0:
        return []
    may_open = policies.can_view_campaigns(user) or policies.can_run_campaigns(user)
    rows = (_sent(party).select_related("campaign").order_by("-sent_at", "-id")
            .prefetch_related(Prefetch("responses", queryset=CampaignResponse.objects.order_by("at", "id")))[:limit])
    channels, kinds = dict(CampaignChannel.choices), dict(ResponseKind.choices)
    return [
        TimelineEntry(
            source="campaign", id=r.pk, occurred_at=r.sent_at, title=r.campaign.name, channel=r.campaign.channel,
            channel_label=str(channels.get(r.campaign.channel, r.campaign.channel)), badge=_("Campaign"),
            url=reverse("marketing:campaign", args=[r.campaign_id]) if may_open else "",
            source_id=r.campaign_id if may_open else None,
            responses=tuple(EntryResponse(kind=x.kind, label=str(kinds.get(x.kind, x.kind)), at=x.at)
                            for x in r.responses.all()),
        )
        for r in rows
    ]


def campaign_count(party: Party, user: User) -> int:
    return _sent(party).count()


def register_timeline() -> None:
    register_timeline_source(TimelineSource(key="campaign", entries=campaign_entries, count=campaign_count))
