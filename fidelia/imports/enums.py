"""Choices of the import app."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    CHECKED = "checked", _("Dry run done")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class BatchMode(models.TextChoices):
    """What an error or an interruption undoes."""

    ALL_OR_NOTHING = "all", _("All or nothing: one error, nothing imported")
    PER_BATCH = "batch", _("Per batch: rows in error are skipped, each batch is kept once committed")


class DuplicatePolicy(models.TextChoices):
    """What to do with a new party that looks like one already on file."""

    SKIP = "skip", _("Skip it and list it in the report")
    FLAG = "flag", _("Import it, tagged “possible duplicate” for review")
    CREATE = "create", _("Import it anyway")


class RowAction(models.TextChoices):
    CREATE = "create", _("to create")
    UPDATE = "update", _("to update")
    UNCHANGED = "unchanged", _("unchanged")
    DUPLICATE = "duplicate", _("duplicate")
    SKIPPED = "skipped", _("skipped")
    ERROR = "error", _("error")


# How the report of a finished import names what the dry run announced.
DONE_LABELS = {
    RowAction.CREATE: _("created"), RowAction.UPDATE: _("updated"), RowAction.UNCHANGED: _("unchanged"),
    RowAction.DUPLICATE: _("duplicate"), RowAction.SKIPPED: _("skipped"), RowAction.ERROR: _("error"),
}
