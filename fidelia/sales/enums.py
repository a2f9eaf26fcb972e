from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext, pgettext_lazy


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
    NEW = "new", pgettext_lazy("lead status", "New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


class StageOutcome(models.TextChoices):
    OPEN = "open", pgettext_lazy("stage outcome", "Open")
    WON = "won", pgettext_lazy("stage outcome", "Won")
    LOST = "lost", pgettext_lazy("stage outcome", "Lost")


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    EXPIRED = "expired", _("Expired")


class OrderStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


# The default stages and lost reasons are data (seeded by a migration, editable), shown translated:
# their English names are listed here so they reach the catalogue. Stage names have their own
# context, so the stage "Lost" (one deal) is not translated like the RFM segment "Lost" (customers).
STAGE_CONTEXT = "pipeline stage"
DEFAULT_STAGE_NAMES = (  # lazy: only listed for the message extractor, which needs the context written out
    pgettext_lazy("pipeline stage", "Qualification"), pgettext_lazy("pipeline stage", "Needs analysis"),
    pgettext_lazy("pipeline stage", "Proposal"), pgettext_lazy("pipeline stage", "Negotiation"),
    pgettext_lazy("pipeline stage", "Won"), pgettext_lazy("pipeline stage", "Lost"))


def stage_label(name: str) -> str:
    """A pipeline stage's name as shown: a seeded English name translated in the stage context
    (templates: `{% translate stage.name context "pipeline stage" %}`); a name typed in is kept."""
    return pgettext(STAGE_CONTEXT, name) if name else name


DEFAULT_LOST_REASONS = (gettext_noop("Price too high"), gettext_noop("Chose a competitor"), gettext_noop("No budget"),
                        gettext_noop("No decision / project abandoned"), gettext_noop("Product not suited"),
                        gettext_noop("No answer from the customer"))
