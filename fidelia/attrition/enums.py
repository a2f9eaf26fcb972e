"""Choices of attrition: the course's attrition types, the reasons captured, loyalty types."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttritionType(models.TextChoices):
    """The course's four types of attrition (DOMAIN.md §5)."""

    DISSATISFACTION = "dissatisfaction", _("Dissatisfaction")
    STRUCTURAL = "structural", _("Structural")
    CONJUNCTURAL = "conjunctural", _("Conjunctural")
    ANECDOTAL = "anecdotal", _("Anecdotal")


class LossReason(models.TextChoices):
    """Why a customer left, as captured when the loss is recorded; each reason suggests a type."""

    COMPLAINT = "complaint", _("Unresolved complaint or poor service")
    PRICE = "price", _("Price too high")
    COMPETITOR = "competitor", _("Went to a competitor")
    OFFER_GAP = "offer_gap", _("Our offer no longer fits")
    EVENT = "event", _("An event (outage, scandal, strike)")
    RELOCATION = "relocation", _("Moved away / abroad")
    LIFE_EVENT = "life_event", _("Life event (death, retirement, separation)")
    OTHER = "other", _("Other / unknown")


class RecordStatus(models.TextChoices):
    SUGGESTED = "suggested", _("To confirm")
    CONFIRMED = "confirmed", _("Confirmed")


class LoyaltyType(models.TextChoices):
    """Attitude × behaviour (Dick & Basu): the course's loyalty typology."""

    TRUE = "true", _("True loyalty")
    LATENT = "latent", _("Latent loyalty")
    SPURIOUS = "spurious", _("Spurious loyalty")
    NONE = "none", _("No loyalty")
    UNKNOWN = "unknown", _("Attitude unknown")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# Which type each captured reason suggests (documented in docs/attrition.md).
REASON_TYPE: dict[str, str] = {
    LossReason.COMPLAINT: AttritionType.DISSATISFACTION,
    LossReason.PRICE: AttritionType.STRUCTURAL,
    LossReason.COMPETITOR: AttritionType.STRUCTURAL,
    LossReason.OFFER_GAP: AttritionType.STRUCTURAL,
    LossReason.EVENT: AttritionType.CONJUNCTURAL,
    LossReason.RELOCATION: AttritionType.ANECDOTAL,
    LossReason.LIFE_EVENT: AttritionType.ANECDOTAL,
}
