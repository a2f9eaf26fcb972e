from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("CSAT (satisfaction 1–5)")
    NPS = "nps", _("NPS (recommendation 0–10)")
    CUSTOM = "custom", _("Custom")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class SurveyLanguage(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating 1–5")
    NPS = "nps", _("Recommendation 0–10")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Free text")


class SkipReason(models.TextChoices):
    """Why a customer was not sent an invitation."""

    NO_EMAIL = "no_email", _("No usable e-mail address")
    NO_CONSENT = "no_consent", _("Refused service e-mails")
    SUPPRESSED = "suppressed", _("On the suppression list")
    ERASED = "erased", _("File anonymised")
    ALREADY_INVITED = "already_invited", _("Already invited")
    SEND_FAILED = "send_failed", _("E-mail could not be sent")
