"""Choices of the exports and the BI feed."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX (Excel)"
    PARQUET = "parquet", "Parquet"


class ExportList(models.TextChoices):
    """The lists a user may export, each filtered by the same selector as its page."""

    PARTIES = "parties", _("customers")
    CONTRACTS = "contracts", _("contracts")
    TRANSACTIONS = "transactions", _("transactions")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")
    EXPIRED = "expired", _("expired")
