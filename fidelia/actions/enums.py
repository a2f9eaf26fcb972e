from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    OFFER = "offer", _("Send an offer")
    FOLLOW_UP = "follow_up", _("Follow-up")
    EMAIL = "email", _("E-mail")
    TASK = "task", _("Task")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("To do")
    SNOOZED = "snoozed", _("Snoozed")
    DONE = "done", _("Done")
    DISMISSED = "dismissed", _("Dismissed")


class ActionSource(models.TextChoices):
    """Where a proposed action comes from; the source key makes each proposal idempotent."""

    RULE = "rule", _("Action rule")
    MANUAL = "manual", _("Added by hand")
    SERVICE = "service", _("Customer service")
    SURVEY = "survey", _("Satisfaction survey")
    ATTRITION = "attrition", _("Attrition risk")
    CAMPAIGN = "campaign", _("Campaign")
    PIPELINE = "pipeline", _("Pipeline")
