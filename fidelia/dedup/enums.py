"""Choices and error codes of deduplication."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PairStatus(models.TextChoices):
    OPEN = "open", _("to review")
    MERGED = "merged", _("merged")
    DISMISSED = "dismissed", _("not a duplicate")


class ScanStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ScanScope(models.TextChoices):
    FULL = "full", _("whole base")
    CHANGED = "changed", _("files changed since the last scan")


class DedupErrorCode(models.TextChoices):
    SAME_PARTY = "same_party", _("A file cannot be merged with itself.")
    ALREADY_MERGED = "already_merged", _("One of the files was already merged.")
    MERGE_CONFLICT = "merge_conflict", _("The merge would break a uniqueness rule.")
    UNDO_CONFLICT = "undo_conflict", _("Something changed since the merge; it cannot be undone.")
    ALREADY_UNDONE = "already_undone", _("This merge was already undone.")
    BAD_CHOICE = "bad_choice", _("A chosen value is not valid.")
