"""Import runs and the provenance of every imported record."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.core.models import TimeStampedModel
from fidelia.imports.enums import BatchMode, DuplicatePolicy, RunStatus


class MappingTemplate(TimeStampedModel):
    """A saved column mapping (header → field) for files that come back in the same shape."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    target = models.CharField(_("kind of data"), max_length=30)
    source = models.CharField(_("source system"), max_length=60, blank=True)
    mapping = models.JSONField(_("columns"), default=dict)
    constants = models.JSONField(_("fixed values"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("mapping template")
        verbose_name_plural = _("mapping templates")

    def __str__(self) -> str:
        return self.name


class ImportRun(TimeStampedModel):
    """One file being imported: its bytes, mapping, options, progress and report.

    The file is held in the database (not on a worker's disk) so that any web process or worker can
    resume the run; the retention policy `import_files` empties `content` and `errors` after a period.
    `committed_rows` counts the rows of every committed batch; it is written in the same transaction
    as the batch, so a resumed run starts exactly after the last batch that reached the database.
    """

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    target = models.CharField(_("kind of data"), max_length=30)
    source = models.CharField(_("source system"), max_length=60)
    filename = models.CharField(_("file"), max_length=200)
    content = models.BinaryField(editable=False, default=b"")
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=12, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(_("columns"), default=dict, blank=True)
    constants = models.JSONField(_("fixed values"), default=dict, blank=True)
    batch_mode = models.CharField(_("on error"), max_length=8, choices=BatchMode.choices,
                                  default=BatchMode.PER_BATCH)
    batch_size = models.PositiveIntegerField(_("batch size"), default=500)
    duplicates = models.CharField(_("possible duplicates"), max_length=8, choices=DuplicatePolicy.choices,
                                  default=DuplicatePolicy.SKIP)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    committed_rows = models.PositiveIntegerField(_("rows done"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    dry_run_counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(_("file deleted on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.target})"

    @property
    def progress(self) -> int:
        """Percentage of rows committed."""
        return int(100 * self.committed_rows / self.total_rows) if self.total_rows else 0

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)


class ImportedRecord(models.Model):
    """Where a record came from: source system, its id there (or a content key), file row and run.

    Unique per (source, target, key): importing the same row twice finds it here and changes nothing.
    """

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="records")
    row = models.PositiveIntegerField(_("row"))
    target = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    party_id = models.BigIntegerField(null=True, db_index=True)
    source = models.CharField(max_length=60)
    external_id = models.CharField(max_length=200)
    flagged = models.BooleanField(default=False)

    class Meta:
        ordering = ["run", "row"]
        constraints = [models.UniqueConstraint(fields=["source", "target", "external_id"],
                                               name="imports_record_unique_key")]
        indexes = [models.Index(fields=["target", "object_id"])]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"
