"""Models of marketing: segments (with their definition history), campaigns, recipients, the
solicitation ledger that enforces contact pressure, and responses (clicks, replies, orders)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.core.models import TimeStampedModel, VersionedModel
from fidelia.marketing.enums import (
    CampaignChannel,
    CampaignStatus,
    ExclusionReason,
    RecipientGroup,
    RecipientStatus,
    ResponseKind,
    TriggerKind,
    WinnerRule,
)


class Segment(VersionedModel):
    """A saved set of criteria over the customer file; its members are evaluated live (one query)."""

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    definition = models.JSONField(_("criteria"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class SegmentVersion(models.Model):
    """Append-only history of a segment's definition: one row per saved version."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    saved_at = models.DateTimeField(auto_now_add=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["segment", "version"], name="marketing_segment_version_uniq")]

    def __str__(self) -> str:
        return f"{self.segment_id} v{self.version}"


class Campaign(VersionedModel):
    """A direct-marketing operation on one channel to a segment, with its economics and hold-out."""

    name = models.CharField(_("name"), max_length=160)
    channel = models.CharField(_("channel"), max_length=8, choices=CampaignChannel.choices)
    segment = models.ForeignKey(Segment, verbose_name=_("segment"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="campaigns")
    status = models.CharField(_("status"), max_length=8, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=12, default="prospecting")
    # Content: subject and body per language; {{ field }} placeholders are validated on save.
    subject_fr = models.CharField(_("subject (French)"), max_length=200, blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_fr = models.TextField(_("message (French)"), blank=True)
    body_en = models.TextField(_("message (English)"), blank=True)
    variant_b_subject = models.CharField(_("variant B subject"), max_length=200, blank=True,
                                         help_text=_("Leave empty for no A/B test."))
    winner_rule = models.CharField(_("A/B winner rule"), max_length=16, choices=WinnerRule.choices,
                                   default=WinnerRule.RESPONSE_RATE)
    script = models.TextField(_("call script"), blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    wave_size = models.PositiveIntegerField(_("messages per wave"), default=0,
                                            help_text=_("0 sends everything in one wave."))
    send_from = models.TimeField(_("send window from"), default=dt.time(8, 0))
    send_until = models.TimeField(_("send window until"), default=dt.time(20, 0))
    control_share = models.DecimalField(_("control group share"), max_digits=4, decimal_places=3,
                                        default=Decimal("0.100"),
                                        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("0.5"))])
    seed = models.PositiveIntegerField(_("random seed"), default=1)
    fixed_cost = models.DecimalField(_("fixed cost (€)"), max_digits=12, decimal_places=2, default=Decimal(0))
    cost_per_message = models.DecimalField(_("cost per message (€)"), max_digits=8, decimal_places=4,
                                           default=Decimal(0))
    margin_rate = models.DecimalField(_("gross margin rate on orders"), max_digits=5, decimal_places=4,
                                      default=Decimal("0.3000"))
    attribution_days = models.PositiveIntegerField(_("attribution window (days)"), default=30)
    planned_at = models.DateTimeField(_("planned at"), null=True, blank=True)
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    trigger = models.CharField(_("trigger"), max_length=24, choices=TriggerKind.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class CampaignRecipient(models.Model):
    """One party targeted by a campaign (static snapshot of the segment at launch): its group
    (test or control), variant, and what happened when sending. Unique per (campaign, party), so
    planning twice or double-clicking "send" never doubles a message."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="campaign_recipients")
    group = models.CharField(max_length=8, choices=RecipientGroup.choices, default=RecipientGroup.TEST)
    variant = models.CharField(max_length=1, default="A")
    stratum = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=8, choices=RecipientStatus.choices, default=RecipientStatus.PLANNED)
    reason = models.CharField(max_length=12, choices=ExclusionReason.choices, blank=True)
    address = models.CharField(max_length=254, blank=True)   # e-mail or E.164 number used
    language = models.CharField(max_length=2, default="fr")
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    # A batch claims its rows (planned → sending, with its token) before sending: two workers or
    # a double-clicked "send" can never send the same row twice.
    claim = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "party"], name="marketing_recipient_uniq")]
        indexes = [models.Index(fields=["campaign", "status"]), models.Index(fields=["party", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.party_id}"


class Solicitation(models.Model):
    """Ledger of every solicitation actually made (campaigns and triggers): contact pressure and
    the phone rules are counted here, at send time, across all campaigns."""

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="solicitations")
    channel = models.CharField(max_length=8, choices=CampaignChannel.choices)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(db_index=True)
    key = models.CharField(max_length=80, unique=True)  # idempotency: "c<campaign>:p<party>" or trigger key

    class Meta:
        indexes = [models.Index(fields=["party", "channel", "at"])]

    def __str__(self) -> str:
        return self.key


class CampaignResponse(TimeStampedModel):
    """A response to a campaign: click on a tracked link, reply, web form, attributed opportunity or
    order, refusal, unsubscribe."""

    recipient = models.ForeignKey(CampaignRecipient, on_delete=models.CASCADE, related_name="responses")
    kind = models.CharField(max_length=12, choices=ResponseKind.choices)
    at = models.DateTimeField()
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    margin = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    url = models.CharField(max_length=500, blank=True)
    key = models.CharField(max_length=80, blank=True)  # "tx:<id>", "opp:<id>", "form:<lead>", "mail:<digest>": once

    class Meta:
        # by key alone: attribution checks whether a purchase or a deal is already any campaign's
        indexes = [models.Index(fields=["recipient", "kind"]),
                   models.Index(fields=["key"], name="marketing_response_key_idx")]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], condition=~models.Q(key=""),
                                               name="marketing_response_key_uniq")]

    def __str__(self) -> str:
        return f"{self.kind} {self.recipient_id}"
