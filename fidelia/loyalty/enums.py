"""Choices of the loyalty programme (translated)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    EARN = "earn", _("Purchase")
    REFERRAL = "referral", _("Referral")
    REDEEM = "redeem", _("Reward")
    EXPIRE = "expire", _("Expiry")
    CORRECTION = "correction", _("Correction")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the first purchase")
    REWARDED = "rewarded", _("Rewarded")


# Kinds that count as points *earned* for the tiers (a correction may go either way).
EARNING_KINDS = (EntryKind.EARN, EntryKind.REFERRAL, EntryKind.CORRECTION)
