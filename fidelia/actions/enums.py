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
    EXPIRED = "expired", _("Expired")


class ActionSource(models.TextChoices):
    """Where a proposed action comes from; the source key makes each proposal idempotent."""

    RULE = "rule", _("Action rule")
    MANUAL = "manual", _("Added by hand")
    SERVICE = "service", _("Customer service")
    SURVEY = "survey", _("Satisfaction survey")
    ATTRITION = "attrition", _("Attrition risk")
    CAMPAIGN = "campaign", _("Campaign")
    PIPELINE = "pipeline", _("Pipeline")


class RulePeriod(models.TextChoices):
    """How often a rule may propose an action to the same customer (part of the source key)."""

    ONCE = "once", _("Once per customer")
    YEAR = "year", _("Once a year")
    QUARTER = "quarter", _("Once a quarter")
    MONTH = "month", _("Once a month")


class Operator(models.TextChoices):
    """Operators of a rule clause; which ones a fact accepts depends on its type (see compiler)."""

    EQ = "eq", "="
    NE = "ne", "≠"
    LT = "lt", "<"
    LTE = "lte", "≤"
    GT = "gt", ">"
    GTE = "gte", "≥"
    BETWEEN = "between", _("between")
    IN = "in", _("is one of")
    NOT_IN = "not_in", _("is none of")
    CONTAINS = "contains", _("contains")
    IS_EMPTY = "is_empty", _("is empty")
    IS_NOT_EMPTY = "is_not_empty", _("is not empty")
    IS_TRUE = "is_true", _("is true")
    IS_FALSE = "is_false", _("is false")
    HELD = "held", _("held")
    NOT_HELD = "not_held", _("not held")
    BEFORE = "before", _("before")
    AFTER = "after", _("after")
    WITHIN_NEXT_DAYS = "within_next_days", _("within the next N days")
    WITHIN_PAST_DAYS = "within_past_days", _("within the last N days")
    MORE_THAN_DAYS_AGO = "more_than_days_ago", _("more than N days ago")
    MORE_THAN_YEARS_AGO = "more_than_years_ago", _("more than N years ago")
    ANNIVERSARY_WITHIN_DAYS = "anniversary_within_days", _("anniversary within the next N days")
    TURNS_AGE_WITHIN_DAYS = "turns_age_within_days", _("reaches age A within the next N days")
