"""Export jobs (a list taken out as a file) and the pseudonyms the BI feed uses instead of party ids."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.bi.enums import ExportFormat, ExportList, ExportStatus


class ExportJob(models.Model):
    """One export of a list by its owner: small ones run at once, large ones in the background.

    The file lives under `FIDELIA_VAR_DIR/exports/` and is served only to `user`; it holds personal
    data, so it is deleted `expires_at` (the `export_files` retention policy), the row kept as history.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="export_jobs")
    list_name = models.CharField(_("list"), max_length=20, choices=ExportList.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    fmt = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    status = models.CharField(_("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows to export"), default=0)
    row_count = models.PositiveIntegerField(_("rows exported"), default=0)
    file_path = models.CharField(max_length=300, blank=True, editable=False)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested on"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished on"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.list_name}.{self.fmt} #{self.pk}"

    @property
    def progress(self) -> int:
        """Percentage of rows written (100 when done, even for an empty list)."""
        if self.status == ExportStatus.DONE:
            return 100
        return min(99, int(100 * self.row_count / self.total_rows)) if self.total_rows else 0

    @property
    def filename(self) -> str:
        return f"fidelia-{self.list_name}-{self.pk}.{self.fmt}"


class PartyPseudonym(models.Model):
    """The BI feed's id of a party: HMAC of its id, keyed with a secret (`fidelia.bi.pseudonyms`).

    Kept in a table rather than computed in SQL so the read-only schema's views never contain the
    key (view definitions are readable by their readers). Replaced by a random value when the party
    is erased, so rows exported before the erasure cannot be linked to it any more.
    """

    party = models.OneToOneField("parties.Party", on_delete=models.CASCADE, related_name="bi_pseudonym",
                                 primary_key=True)
    pseudo_id = models.CharField(max_length=32, unique=True)
    erased = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("pseudonymous id")
        verbose_name_plural = _("pseudonymous ids")

    def __str__(self) -> str:
        return self.pseudo_id
