"""Models of customer service: cases (requests, complaints, incidents) with their history and messages,
SLA policies, reply templates (macros) and the inbound e-mails kept for audit.

Cases and their messages are personal data when the customer is a person: `privacy.py` exports them,
anonymises their content on erasure and applies the retention lines (closed cases, raw e-mails).
SLA due dates are computed in business hours by `sla.py` when a case opens and moved forward when a
pause (waiting on the customer) ends, so queues filter and sort on plain indexed columns.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.core.models import TimeStampedModel, VersionedModel
from fidelia.service.enums import (
    CaseCategory,
    CaseChannel,
    CaseEventKind,
    CaseKind,
    CasePriority,
    CaseStatus,
    InboundOutcome,
    MessageKind,
    SlaSegment,
)


class SlaPolicy(VersionedModel):
    """First-response and resolution targets, in business hours, for a priority and a customer segment.

    The policy applied to a case is the active one of its priority for the customer's ABC class, else
    the one for every customer (segment "")."""

    name = models.CharField(_("name"), max_length=120)
    priority = models.CharField(_("priority"), max_length=8, choices=CasePriority.choices)
    segment = models.CharField(_("customer segment"), max_length=1, choices=SlaSegment.choices, blank=True,
                               default=SlaSegment.ANY)
    first_response_hours = models.DecimalField(_("first response within (business hours)"), max_digits=6,
                                               decimal_places=2)
    resolution_hours = models.DecimalField(_("resolution within (business hours)"), max_digits=7,
                                           decimal_places=2)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["priority", "segment"]
        constraints = [models.UniqueConstraint(fields=["priority", "segment"], condition=models.Q(is_active=True),
                                               name="service_sla_one_active_per_priority_segment")]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class Case(VersionedModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices, default=CaseKind.REQUEST)
    # null for an unknown sender: the case keeps the address and is flagged until an agent links it
    party = models.ForeignKey("parties.Party", verbose_name=_("customer"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="cases")
    sender_email = models.CharField(_("sender's e-mail"), max_length=254, blank=True)
    sender_unknown = models.BooleanField(_("unknown sender"), default=False)
    contract = models.ForeignKey("sales.Contract", verbose_name=_("contract"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    transaction = models.ForeignKey("sales.Transaction", verbose_name=_("transaction"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("channel"), max_length=8, choices=CaseChannel.choices, default=CaseChannel.EMAIL)
    category = models.CharField(_("category"), max_length=20, choices=CaseCategory.choices,
                                default=CaseCategory.OTHER)
    priority = models.CharField(_("priority"), max_length=8, choices=CasePriority.choices,
                                default=CasePriority.NORMAL)
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.NEW)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="cases")
    team = models.ForeignKey("accounts.Team", verbose_name=_("queue / team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="cases")
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # SLA: targets copied from the policy when the case opens (a later policy change does not move them)
    sla_policy = models.ForeignKey(SlaPolicy, verbose_name=_("SLA policy"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True, db_index=True)
    waiting_since = models.DateTimeField(_("waiting on the customer since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("business seconds paused"), default=0)
    first_response_breached = models.BooleanField(_("first response late"), default=False)
    resolution_breached = models.BooleanField(_("resolution late"), default=False)
    escalated_at = models.DateTimeField(_("escalated on"), null=True, blank=True)
    erased_at = models.DateTimeField(_("anonymised on"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "resolution_due"], name="service_case_status_due"),
            models.Index(fields=["owner", "status"], name="service_case_owner_status"),
            models.Index(fields=["team", "status"], name="service_case_team_status"),
            models.Index(fields=["party", "kind", "status"], name="service_case_party_kind"),
            # the queues: active cases, most urgent first, read a page at a time straight from the index
            models.Index(fields=["resolution_due", "opened_at", "id"], name="service_case_active_queue",
                         condition=models.Q(status__in=["new", "open", "waiting", "reopened"])),
            models.Index(fields=["owner", "resolution_due", "opened_at", "id"], name="service_case_active_owner",
                         condition=models.Q(status__in=["new", "open", "waiting", "reopened"])),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status not in {CaseStatus.RESOLVED, CaseStatus.CLOSED}


class CaseEvent(models.Model):
    """One line of a case's full history: who changed what, when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    kind = models.CharField(_("event"), max_length=10, choices=CaseEventKind.choices)
    old_value = models.CharField(_("from"), max_length=60, blank=True)
    new_value = models.CharField(_("to"), max_length=60, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class InboundEmail(models.Model):
    """Every message the listener accepted, raw, whatever became of it: nothing is lost, and the audit
    trail shows why a message was rejected or quarantined. Kept for a shorter time than cases."""

    received_at = models.DateTimeField(_("received at"), db_index=True)
    mail_from = models.CharField(_("envelope sender"), max_length=254, blank=True)
    recipients = models.CharField(_("recipients"), max_length=500, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    raw = models.BinaryField(_("raw message"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=InboundOutcome.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_emails")

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.outcome}"


class CaseMessage(TimeStampedModel):
    """An e-mail from the customer, a reply to them or an internal note. `body_html` is stored already
    sanitised (nh3) so it can be shown as is; the raw inbound message stays in `InboundEmail`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=8, choices=MessageKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    to_address = models.CharField(_("to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("sanitised HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True, db_index=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=300, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    sent_at = models.DateTimeField(_("sent at"), db_index=True)
    inbound = models.ForeignKey(InboundEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.subject}"


class ReplyTemplate(VersionedModel):
    """A canned answer (macro). Placeholders: {customer_name}, {case_reference}, {case_subject},
    {agent_name}; unknown placeholders are left as written."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    category = models.CharField(_("for category"), max_length=20, choices=CaseCategory.choices, blank=True)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.name
