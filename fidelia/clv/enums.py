"""Choices of customer value."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CountModel(models.TextChoices):
    BGNBD = "bgnbd", _("BG/NBD")
    PARETO_NBD = "pareto_nbd", _("Pareto/NBD")


class EffortKind(models.TextChoices):
    GIFT = "gift", _("Gift")
    DISCOUNT = "discount", _("Discount")
    OTHER = "other", _("Other")


class RunStatus(models.TextChoices):
    OK = "ok", _("Fitted")
    WARNING = "warning", _("Fitted with warnings")
    FAILED = "failed", _("Not fitted")
