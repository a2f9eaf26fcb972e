"""The audit log (append-only, hash-chained), data-subject requests and the suppression list."""
from __future__ import annotations

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
