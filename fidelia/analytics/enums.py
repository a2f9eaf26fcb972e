"""Choices of the analytics app."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Scheduled job")
    COMMAND = "command", _("Command line")
    USER = "user", _("Requested by a user")


class AbcClass(models.TextChoices):
    A = "A", _("A (top 10 %)")
    B = "B", _("B (next 30 %)")
    C = "C", _("C (remaining 60 %)")


class RfmSegment(models.TextChoices):
    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL_LOYALIST = "potential_loyalist", _("Potential loyalist")
    NEW = "new", _("New")
    PROMISING = "promising", _("Promising")
    NEED_ATTENTION = "need_attention", _("Need attention")
    ABOUT_TO_SLEEP = "about_to_sleep", _("About to sleep")
    AT_RISK = "at_risk", _("At risk")
    CANT_LOSE = "cant_lose", _("Can't lose")
    HIBERNATING = "hibernating", _("Hibernating")
    LOST = "lost", _("Lost")


class Method(models.TextChoices):
    PARETO = "pareto", _("Pareto 20/80")
    ABC = "abc", _("ABC 10/30/60")
    RFM = "rfm", _("RFM")
    FRAT = "frat", _("FRAT")


class MigrationDimension(models.TextChoices):
    ABC = "abc", _("ABC class")
    RFM_SEGMENT = "rfm_segment", _("RFM segment")
