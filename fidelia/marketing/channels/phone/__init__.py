"""Telemarketing: each recipient becomes a call in its owner's actions to take, with the script,
due on the next slot the French canvassing rules allow (Mon–Fri 10–13 / 14–20, no public holiday)."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fidelia.actions.enums import ActionKind, ActionSource
from fidelia.actions.services import action_propose
from fidelia.marketing.channels import Delivery, OutboundMessage
from fidelia.marketing.rules import next_phone_slot
from fidelia.parties.models import Party


def deliver(messages: list[OutboundMessage]) -> list[Delivery]:
    parties = Party.objects.select_related("owner", "team").in_bulk([m.party_id for m in messages])
    slot = next_phone_slot(timezone.localtime())
    results = []
    for m in messages:
        party = parties.get(m.party_id)
        if party is None:
            results.append(Delivery(m.recipient_id, False, bounced=True, error="party gone"))
            continue
        action_propose(party=party, kind=ActionKind.CALL, title=m.subject, source=ActionSource.CAMPAIGN,
                       source_key=f"campaign:{m.extra.get('campaign_id')}:call:{m.party_id}",
                       due_on=slot.date(), reason=m.body[:2000], valid_until=slot.date() + dt.timedelta(days=30))
        results.append(Delivery(m.recipient_id, True))
    return results
