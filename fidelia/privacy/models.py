"""The audit log (append-only, hash-chained), data-subject requests and the suppression list."""
from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.core.models import VersionedModel
from fidelia.privacy.enums import (
    SubjectRequestAction,
    SubjectRequestChannel,
    SubjectRequestKind,
    SubjectRequestStatus,
    SuppressionKind,
)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ANN003, ANN201
        raise PermissionError("the audit log is append-only")

    def delete(self):  # noqa: ANN201
        raise PermissionError("the audit log is append-only")


class AuditEntry(models.Model):
    """Who did what, when, through which channel — never the values.

    `digest` = SHA-256 over the previous entry's digest and this entry's content, so editing,
    deleting or inserting a past row breaks the chain (`fidelia audit_verify`). Database
    triggers refuse UPDATE and DELETE.
    """

    created_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.BigIntegerField(null=True)
    party_id = models.BigIntegerField(null=True, db_index=True)
    fields = models.JSONField(default=list, blank=True)
    channel = models.CharField(max_length=8, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username or '-'} {self.action}"

    def save(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        raise PermissionError("the audit log is append-only")


# --- Data-subject requests and the suppression list -------------------------------------------
# `party_id` is a plain integer: privacy never imports domain models (see registry.py).


class SubjectRequest(VersionedModel):
    """A data-subject request (GDPR arts. 15–21) and its statutory deadline.

    `due_on` = `received_on` + 1 calendar month, or + 3 once `extended` (art. 12(3)); services in
    `fidelia.privacy.services` keep both consistent and write the history.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=SubjectRequestKind.choices)
    party_id = models.BigIntegerField(_("customer"), null=True, blank=True, db_index=True)
    requester_name = models.CharField(_("requester name"), max_length=200)
    requester_contact = models.CharField(_("requester contact"), max_length=200, blank=True)
    channel = models.CharField(_("received through"), max_length=10,
                               choices=SubjectRequestChannel.choices, default=SubjectRequestChannel.EMAIL)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"), db_index=True)
    extended = models.BooleanField(_("extended"), default=False)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    extension_notified_on = models.DateField(_("extension notified on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=SubjectRequestStatus.choices,
                              default=SubjectRequestStatus.RECEIVED, db_index=True)
    notes = models.TextField(_("notes"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.requester_name} ({self.received_on:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.status not in (SubjectRequestStatus.COMPLETED, SubjectRequestStatus.REFUSED)


class SubjectRequestEvent(models.Model):
    """One step in a request's history; rows are only ever added."""

    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=12, choices=SubjectRequestAction.choices)
    note = models.TextField(_("note"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"

    def save(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("a request's history is append-only")
        super().save(*args, **kwargs)


class SuppressionEntry(models.Model):
    """An address that must never be contacted again — stored only as a keyed digest.

    `digest` = HMAC-SHA256 of the normalised value (`fidelia.privacy.suppression`), so the list
    can be checked without keeping the clear e-mail or phone number.
    """

    kind = models.CharField(_("kind"), max_length=5, choices=SuppressionKind.choices)
    digest = models.CharField(max_length=64)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    request = models.ForeignKey(SubjectRequest, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="suppressions")

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "digest"], name="privacy_suppression_kind_digest")]
        verbose_name = _("suppression entry")
        verbose_name_plural = _("suppression list")

    def __str__(self) -> str:
        return f"{self.kind}:{self.digest[:12]}…"


# --- Retention register, its change history and the retention runs ------------------------------
# The choices live here rather than in enums.py because only the register uses them.


class DurationUnit(models.TextChoices):
    MONTHS = "months", _("months")
    DAYS = "days", _("days")


class RetentionStart(models.TextChoices):
    """The event a retention duration counts from."""

    LAST_INBOUND = "last_inbound", _("last contact coming from the person")
    RELATIONSHIP_END = "relationship_end", _("end of the business relationship")
    CONTRACT_END = "contract_end", _("end of the contract")
    TRANSACTION_DATE = "transaction_date", _("date of the transaction")
    LAST_SIGN_IN = "last_sign_in", _("last sign-in")
    EVENT_DATE = "event_date", _("date of the logged event")
    LISTED_ON = "listed_on", _("date of listing")
    REQUEST_CLOSED = "request_closed", _("closing of the request")
    SNAPSHOT_MONTH = "snapshot_month", _("month of the snapshot")


class RetentionAction(models.TextChoices):
    ANONYMISE = "anonymise", _("anonymise")
    ARCHIVE = "archive", _("archive (restricted access)")
    DELETE = "delete", _("delete")
    RECONSENT = "reconsent", _("ask for consent again")
    DEACTIVATE = "deactivate", _("deactivate and anonymise")


def shift_back(when: dt.datetime, *, months: int = 0, days: int = 0) -> dt.datetime:
    """`when` minus a calendar duration (31 March − 1 month = 28/29 February)."""
    years, month0 = divmod(when.month - 1 - months, 12)
    year = when.year + years
    day = min(when.day, calendar.monthrange(year, month0 + 1)[1])
    return when.replace(year=year, month=month0 + 1, day=day) - dt.timedelta(days=days)


class RetentionPolicy(VersionedModel):
    """One line of the retention register: how long one kind of data is kept, from which event,
    and what happens afterwards. Changed only through `retention_policy_change` (DPO, reason required),
    which writes one `RetentionPolicyChange` per field and an audit row."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    purpose = models.CharField(_("data and purpose"), max_length=200)
    duration = models.PositiveIntegerField(_("duration"))
    duration_unit = models.CharField(_("unit"), max_length=6, choices=DurationUnit.choices,
                                     default=DurationUnit.MONTHS)
    start_event = models.CharField(_("counted from"), max_length=20, choices=RetentionStart.choices)
    action = models.CharField(_("then"), max_length=12, choices=RetentionAction.choices)
    minimum_months = models.PositiveIntegerField(
        _("minimum (months)"), null=True, blank=True,
        help_text=_("A legal minimum: the duration cannot be set below it."))
    legal_basis = models.TextField(_("legal basis and reference"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["key"]
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention register")

    def __str__(self) -> str:
        return self.purpose

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        """Records whose start event is strictly before this instant are past the policy."""
        if self.duration_unit == DurationUnit.DAYS:
            return shift_back(now, days=self.duration)
        return shift_back(now, months=self.duration)

    def below_minimum(self, now: dt.datetime) -> bool:
        return self.minimum_months is not None and self.cutoff(now) > shift_back(now, months=self.minimum_months)


class RetentionPolicyChange(models.Model):
    """One changed field of one policy, with who, when and why; rows are only ever added."""

    policy = models.ForeignKey(RetentionPolicy, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    field = models.CharField(_("field"), max_length=40)
    old = models.CharField(_("old value"), max_length=200, blank=True)
    new = models.CharField(_("new value"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("retention policy change")
        verbose_name_plural = _("retention policy changes")

    def __str__(self) -> str:
        return f"{self.policy_id} {self.field}: {self.old} → {self.new}"

    def save(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("the register's history is append-only")
        super().save(*args, **kwargs)


class RetentionRun(models.Model):
    """One pass of the retention job: dry run or applied, who or what started it, counts per policy."""

    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    trigger = models.CharField(_("trigger"), max_length=20, blank=True)
    counts = models.JSONField(_("counts per policy"), default=dict, blank=True)
    report = models.TextField(_("report"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {'dry run' if self.dry_run else 'applied'}"
