from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductKind(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    TACTICAL = "tactical", _("Tactical")


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class SalesChannel(models.TextChoices):
    BRANCH = "branch", _("Branch / agency")
    SALES_FORCE = "sales_force", _("Sales force")
    CALL_CENTRE = "call_centre", _("Call centre")
    WEB = "web", _("Web")
    POINT_OF_SALE = "point_of_sale", _("Point of sale")


class LeadSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    CAMPAIGN = "campaign", _("Campaign")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event / trade show")
    PURCHASED_FILE = "purchased_file", _("Purchased file")
    INBOUND_CALL = "inbound_call", _("Inbound call")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


class StageOutcome(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    EXPIRED = "expired", _("Expired")


class OrderStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
