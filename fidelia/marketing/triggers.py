"""Automatic campaigns (journeys), run daily: welcome after a subscription, birthday, contract
anniversary, follow-up call for non-responders N days after a campaign.

A trigger is a campaign template (`Campaign.trigger` set, status "sending" once switched on).
Each day it gets a child campaign "<name> · <date>" (created once: re-running the day changes
nothing) whose recipients go through the same consent, suppression and pressure checks and the
same control-group draw as any campaign, then are sent.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fidelia.actions.enums import ActionKind, ActionSource
from fidelia.actions.services import action_propose
from fidelia.marketing.enums import CampaignStatus, RecipientStatus, TriggerKind
from fidelia.marketing.models import Campaign, CampaignRecipient
from fidelia.marketing.selectors import POSITIVE_RESPONSES
from fidelia.marketing.services import _dispatch_after_commit, materialise_recipients
from fidelia.parties.models import Party
from fidelia.sales.models import Contract

COPIED = ("channel", "purpose", "subject_fr", "subject_en", "body_fr", "body_en", "script", "send_from", "send_until",
          "control_share", "seed", "fixed_cost", "cost_per_message", "margin_rate", "attribution_days")


def trigger_targets(kind: str, as_of: dt.date) -> list[int]:
    """The parties a trigger of `kind` concerns on `as_of` (one query)."""
    live = Party.objects.filter(erased_at__isnull=True, merged_into__isnull=True)
    if kind == TriggerKind.WELCOME:
        ids = Contract.objects.filter(start_date=as_of).values("party_id")
        return list(live.filter(pk__in=ids).values_list("pk", flat=True))
    if kind == TriggerKind.BIRTHDAY:
        return list(live.filter(birth_date__month=as_of.month, birth_date__day=as_of.day).values_list("pk", flat=True))
    if kind == TriggerKind.CONTRACT_ANNIVERSARY:
        ids = Contract.objects.filter(start_date__month=as_of.month, start_date__day=as_of.day,
                                      start_date__lt=as_of).filter(Q(end_date__isnull=True) | Q(end_date__gte=as_of))
        return list(live.filter(pk__in=ids.values("party_id")).values_list("pk", flat=True))
    return []


def follow_up_calls(template: Campaign, as_of: dt.date) -> int:
    """Calls for recipients of campaigns launched N days ago (N = the template's attribution
    window) who did not respond: proposed to their owner, idempotent per campaign and party."""
    day = as_of - dt.timedelta(days=template.attribution_days)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    rows = (CampaignRecipient.objects.filter(campaign__launched_at__gte=start,
                                             campaign__launched_at__lt=start + dt.timedelta(days=1),
                                             status=RecipientStatus.SENT)
            .exclude(campaign__trigger=TriggerKind.FOLLOW_UP)
            .exclude(responses__kind__in=POSITIVE_RESPONSES).select_related("party", "campaign"))
    created = 0
    for r in rows:
        _action, new = action_propose(party=r.party, kind=ActionKind.CALL, source=ActionSource.CAMPAIGN,
                                      title=template.subject_fr or template.name,
                                      source_key=f"campaign:{r.campaign_id}:follow-up:{r.party_id}",
                                      due_on=as_of, reason=template.script or template.body_fr)
        created += new
    return created


def triggers_run(*, as_of: dt.date | None = None) -> dict[str, int]:
    """Run every switched-on trigger for `as_of` (default today); returns recipients per trigger."""
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    report: dict[str, int] = {}
    for template in Campaign.objects.filter(trigger__gt="", status=CampaignStatus.SENDING, segment__isnull=True
                                            ).exclude(name__contains=" · "):
        if template.trigger == TriggerKind.FOLLOW_UP:
            report[template.name] = follow_up_calls(template, as_of)
            continue
        with transaction.atomic():
            child, _created = Campaign.objects.get_or_create(
                name=f"{template.name} · {as_of.isoformat()}", trigger=template.trigger,
                defaults={**{f: getattr(template, f) for f in COPIED}, "status": CampaignStatus.SENDING,
                          "launched_at": now, "planned_at": now})
            materialise_recipients(campaign=child, party_ids=trigger_targets(template.trigger, as_of), now=now)
            _dispatch_after_commit(child.pk)
        report[template.name] = CampaignRecipient.objects.filter(campaign=child).count()
    return report
