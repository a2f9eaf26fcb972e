"""Stored analytics results: the runs, each customer's latest result, and monthly snapshots.

Results are derived from purchases, so they are personal data: `privacy.py` exports and erases
them with the rest of the customer's file. They are written in bulk by `services.analytics_run`
(replaced atomically), never row by row.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.analytics.enums import AbcClass, RfmSegment, RunStatus, RunTrigger


class AnalysisRun(models.Model):
    """One computation of Pareto, ABC, RFM and FRAT over the whole base.

    `summary` holds what dashboards need without touching per-customer rows: a downsampled Pareto
    curve (≤ 200 points), class and segment counts and revenue, FRAT distributions.
    """

    started_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    trigger = models.CharField(_("trigger"), max_length=10, choices=RunTrigger.choices, default=RunTrigger.USER)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    reference_date = models.DateField(_("reference date"))
    date_from = models.DateField(_("period start"))
    date_to = models.DateField(_("period end"))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    customers = models.PositiveIntegerField(_("customers analysed"), default=0)
    excluded = models.PositiveIntegerField(_("customers without positive revenue"), default=0)
    durations = models.JSONField(_("durations (s)"), default=dict, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")

    def __str__(self) -> str:
        return f"{self.reference_date} ({self.status})"


class CustomerAnalytics(models.Model):
    """A customer's latest result (one row per party), read by segments, campaigns, rules and the 360 page.

    Amounts are in euros; recency/frequency/FRAT delays in days. FRAT frequency is empty for a
    customer with a single order.
    """

    party = models.OneToOneField("parties.Party", primary_key=True, on_delete=models.CASCADE,
                                 related_name="analytics")
    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="+")
    revenue = models.DecimalField(_("revenue (€)"), max_digits=14, decimal_places=2)
    margin = models.DecimalField(_("margin (€)"), max_digits=14, decimal_places=2)
    orders = models.PositiveIntegerField(_("orders"))
    first_purchase = models.DateField(_("first purchase"))
    last_purchase = models.DateField(_("last purchase"))
    rank = models.PositiveIntegerField(_("rank by revenue"))
    cumulative_share = models.FloatField(_("cumulative share of revenue"))
    abc_class = models.CharField(_("ABC class"), max_length=1, choices=AbcClass.choices, db_index=True)
    recency_days = models.PositiveIntegerField(_("recency (days)"))
    r_score = models.PositiveSmallIntegerField(_("R score"))
    f_score = models.PositiveSmallIntegerField(_("F score"))
    m_score = models.PositiveSmallIntegerField(_("M score"))
    rfm_cell = models.CharField(_("RFM cell"), max_length=5)
    rfm_segment = models.CharField(_("RFM segment"), max_length=20, choices=RfmSegment.choices, db_index=True)
    frat_frequency_days = models.FloatField(_("FRAT frequency (average days between purchases)"), null=True, blank=True)
    frat_recency_days = models.PositiveIntegerField(_("FRAT recency (days from first to last order)"))
    frat_amount_ratio = models.FloatField(_("FRAT amount (last order / average order)"), null=True, blank=True)
    frat_strategic_share = models.FloatField(_("FRAT type (share of strategic products)"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer analytics")
        verbose_name_plural = _("customer analytics")
        indexes = [models.Index(fields=["rank"])]

    def __str__(self) -> str:
        return f"{self.party_id}: {self.abc_class} {self.rfm_cell}"


class CustomerSnapshot(models.Model):
    """A customer's classes and scores at the end of a month, for trajectories and migration tables."""

    period = models.DateField(_("month"), help_text=_("First day of the month"))
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="analytics_snapshots")
    revenue = models.DecimalField(_("revenue (€)"), max_digits=14, decimal_places=2)
    orders = models.PositiveIntegerField(_("orders"))
    abc_class = models.CharField(_("ABC class"), max_length=1, choices=AbcClass.choices)
    r_score = models.PositiveSmallIntegerField(_("R score"))
    f_score = models.PositiveSmallIntegerField(_("F score"))
    m_score = models.PositiveSmallIntegerField(_("M score"))
    rfm_segment = models.CharField(_("RFM segment"), max_length=20, choices=RfmSegment.choices)

    class Meta:
        ordering = ["period"]
        verbose_name = _("customer snapshot")
        verbose_name_plural = _("customer snapshots")
        constraints = [models.UniqueConstraint(fields=["period", "party"], name="analytics_snapshot_unique")]
        indexes = [models.Index(fields=["party", "period"])]

    def __str__(self) -> str:
        return f"{self.party_id} {self.period:%Y-%m}: {self.abc_class} {self.rfm_segment}"
