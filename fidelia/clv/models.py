"""Customer value: model runs, per-customer values and the retention effort spent on customers.

`CustomerValue` holds one row per customer (the latest scoring), read by the file panel, the
dashboards, facts and the attrition app. `RetentionEffort` rows (gifts, discounts...) are entered by
users; with campaign costs they are subtracted from the expected margin to give the customer capital.
Money in euros, time in weeks (x, t_x, T), horizons in months.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.clv.enums import CountModel, EffortKind, RunStatus
from fidelia.core.models import VersionedModel


class ValueModelRun(models.Model):
    """One fit of the count model (BG/NBD or Pareto/NBD) and the Gamma-Gamma spend model."""

    created_at = models.DateTimeField(_("computed at"), auto_now_add=True, db_index=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    as_of = models.DateField(_("end of the observation period"))
    count_model = models.CharField(_("purchase model"), max_length=12, choices=CountModel.choices)
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices)
    horizon_months = models.PositiveSmallIntegerField(_("horizon (months)"))
    monthly_discount = models.FloatField(_("monthly discount rate"))
    n_customers = models.PositiveIntegerField(_("customers"), default=0)
    n_repeat_buyers = models.PositiveIntegerField(_("repeat buyers"), default=0)
    params = models.JSONField(_("purchase model parameters"), default=dict)
    se = models.JSONField(_("standard errors"), default=dict)
    loglik = models.FloatField(_("log-likelihood"), null=True)
    spend_params = models.JSONField(_("spend model parameters"), default=dict)
    spend_se = models.JSONField(_("spend model standard errors"), default=dict)
    spend_loglik = models.FloatField(_("spend model log-likelihood"), null=True)
    converged = models.BooleanField(_("converged"), default=False)
    warnings = models.JSONField(_("warnings"), default=list)
    calibration = models.JSONField(_("calibration/holdout report"), default=dict)
    totals = models.JSONField(_("whole-base totals"), default=dict)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("value model run")
        verbose_name_plural = _("value model runs")

    def __str__(self) -> str:
        return f"{self.get_count_model_display()} {self.as_of}"


class CustomerValue(models.Model):
    """A customer's latest value (one row per party). Money in euros; x/t_x/T in weeks.

    clv_12m = discounted expected margin over 12 months; clv_horizon the same over the run's
    horizon; capital = clv_horizon − retention effort (last 12 months, gifts/discounts/campaigns).
    """

    party = models.OneToOneField("parties.Party", primary_key=True, on_delete=models.CASCADE,
                                 related_name="customer_value")
    run = models.ForeignKey(ValueModelRun, on_delete=models.CASCADE, related_name="+")
    frequency = models.PositiveIntegerField(_("repeat purchases (x)"))
    recency_weeks = models.FloatField(_("last repeat purchase (t_x, weeks)"))
    age_weeks = models.FloatField(_("age (T, weeks)"))
    mean_spend = models.DecimalField(_("mean repeat spend (€)"), max_digits=14, decimal_places=2)
    margin_rate = models.FloatField(_("margin rate"))
    p_alive = models.FloatField(_("probability still active"), db_index=True)
    expected_purchases_52w = models.FloatField(_("expected purchases, next 52 weeks"))
    expected_spend = models.DecimalField(_("expected spend per purchase (€)"), max_digits=14, decimal_places=2)
    clv_12m = models.DecimalField(_("CLV 12 months (€)"), max_digits=14, decimal_places=2, db_index=True)
    clv_horizon = models.DecimalField(_("CLV over the horizon (€)"), max_digits=14, decimal_places=2)
    retention_effort = models.DecimalField(_("retention effort (€)"), max_digits=14, decimal_places=2,
                                           default=Decimal("0"))
    capital = models.DecimalField(_("customer capital (€)"), max_digits=14, decimal_places=2)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("customer value")
        verbose_name_plural = _("customer values")

    def __str__(self) -> str:
        return f"{self.party_id}: {self.clv_12m} €"


class RetentionEffort(VersionedModel):
    """Money spent to keep a customer (gift, discount, other), subtracted from the customer capital."""

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="retention_efforts")
    kind = models.CharField(_("kind"), max_length=10, choices=EffortKind.choices)
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("retention effort")
        verbose_name_plural = _("retention efforts")
        indexes = [models.Index(fields=["party", "-date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} €"
