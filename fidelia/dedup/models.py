"""Duplicate candidate pairs found by the scans, the scans themselves, and merges (with what undo needs)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fidelia.core.models import TimeStampedModel
from fidelia.dedup.enums import PairStatus, ScanScope, ScanStatus


class DuplicateCandidate(TimeStampedModel):
    """Two parties the matcher thinks may be one (`party_a_id < party_b_id`, one row per pair).

    A dismissed pair stays dismissed: later scans skip it, so a steward's "not a duplicate" sticks.
    """

    party_a = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="+")
    party_b = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"), db_index=True)
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=PairStatus.choices, default=PairStatus.OPEN)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed on"), null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["party_a", "party_b"], name="dedup_one_row_per_pair"),
            models.CheckConstraint(condition=Q(party_a__lt=F("party_b")), name="dedup_pair_ordered"),
        ]
        indexes = [models.Index(fields=["status", "-score", "id"])]

    def __str__(self) -> str:
        return f"{self.party_a_id} ~ {self.party_b_id} ({self.score:.2f})"


class DuplicateScan(models.Model):
    """One run of whole-base (or changed-files) detection, on demand or scheduled."""

    scope = models.CharField(_("scope"), max_length=10, choices=ScanScope.choices, default=ScanScope.FULL)
    status = models.CharField(_("status"), max_length=10, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    parties = models.PositiveIntegerField(_("files scanned"), default=0)
    compared = models.PositiveBigIntegerField(_("pairs compared"), default=0)
    found = models.PositiveIntegerField(_("pairs found"), default=0)
    new = models.PositiveIntegerField(_("new pairs"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("duplicate scan")
        verbose_name_plural = _("duplicate scans")

    def __str__(self) -> str:
        return f"scan #{self.pk} ({self.status})"


class Merge(models.Model):
    """A merge of `loser` into `survivor`, with everything its undo needs.

    `snapshot` holds: `survivor_before` (the survivor's fields before the merge), `loser_values`
    (the loser's fields, unchanged on its row), `moved` ([model label, pk, field] of every row
    re-pointed to the survivor), `primary_reset` ([label, pk] of moved rows no longer primary),
    `deleted` (serialised rows removed as exact duplicates), `consents_added` (ids of refusals
    recorded by the most-protective rule), `tags_added`, and the versions after the merge.
    """

    survivor = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="+")
    loser = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(DuplicateCandidate, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="merges")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("merged by"))
    merged_at = models.DateTimeField(_("merged on"), auto_now_add=True, db_index=True)
    snapshot = models.JSONField(default=dict)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("undone by"))
    undone_at = models.DateTimeField(_("undone on"), null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.loser_id} → {self.survivor_id}"
