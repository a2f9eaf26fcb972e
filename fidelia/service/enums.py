"""Choices of customer service: case kinds, statuses, priorities, channels, categories, message kinds,
inbound e-mail outcomes."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseKind(models.TextChoices):
    REQUEST = "request", _("Request")
    COMPLAINT = "complaint", _("Complaint")
    INCIDENT = "incident", _("Incident")


class CaseStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("case status", "New")
    OPEN = "open", pgettext_lazy("case status", "Open")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


# Statuses a case may move to from each status (the workflow of the issue); anything else is refused.
STATUS_FLOW: dict[str, frozenset[str]] = {
    CaseStatus.NEW: frozenset({CaseStatus.OPEN, CaseStatus.WAITING, CaseStatus.RESOLVED}),
    CaseStatus.OPEN: frozenset({CaseStatus.WAITING, CaseStatus.RESOLVED}),
    CaseStatus.WAITING: frozenset({CaseStatus.OPEN, CaseStatus.RESOLVED}),
    CaseStatus.RESOLVED: frozenset({CaseStatus.CLOSED, CaseStatus.REOPENED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.REOPENED}),
    CaseStatus.REOPENED: frozenset({CaseStatus.OPEN, CaseStatus.WAITING, CaseStatus.RESOLVED}),
}
ACTIVE_STATUSES = frozenset({CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.WAITING, CaseStatus.REOPENED})
DONE_STATUSES = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})


class CasePriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class CaseChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web form")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Visit / point of sale")
    SOCIAL = "social", _("Social media")


class CaseCategory(models.TextChoices):
    """The eight critical-incident types of the course first (Bitner-style studies), then everyday
    requests and incidents."""

    CORE_FAILURE = "core_failure", _("Core service failure (e.g. billing error)")
    FRONTLINE_CONFLICT = "frontline_conflict", _("Conflict with front-line staff")
    PRICE = "price", _("Price")
    INCONVENIENCE = "inconvenience", _("Inconvenience (distance, hours, waiting, late delivery)")
    POOR_COMPLAINT_RESPONSE = "poor_response", _("Poor response to a complaint")
    COMPETITOR = "competitor", _("Competitor attraction")
    ETHICAL = "ethical", _("Ethical problem")
    INVOLUNTARY_SWITCH = "involuntary_switch", _("Involuntary switching")
    INFORMATION = "information", _("Information request")
    CHANGE = "change", _("Change to a contract or account")
    TECHNICAL = "technical", _("Technical problem")
    OTHER = "other", _("Other")


# Share of relationship-breaking incidents citing each type in the course's reference studies (a
# case may cite several, so the shares add up to more than 100 %). Ethical problems: 7–9 %, kept as
# the range's middle with the range for display.
REFERENCE_SHARES: dict[str, float] = {
    CaseCategory.CORE_FAILURE: 0.44,
    CaseCategory.FRONTLINE_CONFLICT: 0.34,
    CaseCategory.PRICE: 0.30,
    CaseCategory.INCONVENIENCE: 0.20,
    CaseCategory.POOR_COMPLAINT_RESPONSE: 0.17,
    CaseCategory.COMPETITOR: 0.10,
    CaseCategory.ETHICAL: 0.08,
    CaseCategory.INVOLUNTARY_SWITCH: 0.06,
}
REFERENCE_SHARE_LABELS: dict[str, str] = {
    CaseCategory.ETHICAL: "7–9 %",
}


class SlaSegment(models.TextChoices):
    """Customer segments an SLA policy may target: the customer's ABC class from analytics."""

    ANY = "", _("Every customer")
    A = "A", _("Class A customers")
    B = "B", _("Class B customers")
    C = "C", _("Class C customers")


class MessageKind(models.TextChoices):
    INBOUND = "inbound", _("E-mail from the customer")
    OUTBOUND = "outbound", _("Reply to the customer")
    NOTE = "note", _("Internal note")


class InboundOutcome(models.TextChoices):
    CREATED = "created", _("New case created")
    THREADED = "threaded", _("Added to an existing case")
    UNKNOWN_SENDER = "unknown_sender", _("Case created for an unknown sender (flagged)")
    MALFORMED = "malformed", _("Rejected: malformed message")
    OVERSIZED = "oversized", _("Quarantined: message too large")
    DANGEROUS = "dangerous", _("Quarantined: dangerous attachment")
    DUPLICATE = "duplicate", _("Ignored: already received")


class CaseEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    UPDATED = "updated", _("Updated")
    REPLY = "reply", _("Reply sent")
    NOTE = "note", _("Internal note")
    INBOUND = "inbound", _("E-mail received")
    ESCALATED = "escalated", _("Escalated to the manager")
    BREACHED = "breached", _("SLA breached")
    ERASED = "erased", _("Content anonymised")


class QueueView(models.TextChoices):
    MINE = "mine", _("My cases")
    TEAM = "team", _("My team")
    UNASSIGNED = "unassigned", _("Unassigned")
    BREACHING = "breaching", _("Breached or due soon")
    ALL = "all", _("All open cases")
