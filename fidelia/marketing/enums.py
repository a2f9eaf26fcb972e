"""Choices of marketing: channels, campaign and recipient states, exclusion reasons, responses."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    POSTAL = "postal", _("Postal mailing")
    PHONE = "phone", _("Telemarketing")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PLANNED = "planned", _("Planned")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    DONE = "done", _("Done")


class RecipientGroup(models.TextChoices):
    TEST = "test", _("Test")
    CONTROL = "control", _("Control (held out)")


class RecipientStatus(models.TextChoices):
    PLANNED = "planned", _("To send")
    EXCLUDED = "excluded", _("Excluded")
    HELD_OUT = "held_out", _("Held out (control)")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


class ExclusionReason(models.TextChoices):
    NO_ADDRESS = "no_address", _("No usable address or number")
    NO_CONSENT = "no_consent", _("No consent")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")
    SUPPRESSED = "suppressed", _("On the suppression list")
    PRESSURE = "pressure", _("Contact pressure cap reached")
    PHONE_RULES = "phone_rules", _("Phone canvassing rules (calls per 30 days, refusal)")
    ERASED = "erased", _("File anonymised")


class ResponseKind(models.TextChoices):
    CLICK = "click", _("Click")
    REPLY = "reply", _("Reply")
    ORDER = "order", _("Order")
    REFUSAL = "refusal", _("Refusal")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe")
    OPPORTUNITY = "opportunity", _("Opportunity")
    FORM = "form", _("Web form")


class TriggerKind(models.TextChoices):
    WELCOME = "welcome", _("Welcome after a subscription")
    FOLLOW_UP = "follow_up", _("Follow-up call for non-responders")
    BIRTHDAY = "birthday", _("Birthday")
    CONTRACT_ANNIVERSARY = "contract_anniversary", _("Contract anniversary")


class WinnerRule(models.TextChoices):
    RESPONSE_RATE = "response_rate", _("Highest response rate")
    CLICK_RATE = "click_rate", _("Highest click rate")
    REVENUE = "revenue", _("Highest revenue per message")
