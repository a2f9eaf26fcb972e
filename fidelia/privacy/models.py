"""The audit log: append-only and hash-chained, so that any change to past rows shows."""
from __future__ import annotations

from django.db import models


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
