"""Models of attrition: the stored risk per customer, lost customers, model runs and the settings."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.attrition.enums import AttritionType, LossReason, LoyaltyType, RecordStatus, RunStatus
from fidelia.core.models import TimeStampedModel, VersionedModel


class AttritionSettings(VersionedModel):
    """The one row of settings (pk=1): churn definition, model horizon and loyalty thresholds.

    Edited by analytics configurers through `settings_update` (If-Match/version checked)."""

    inactivity_days = models.PositiveIntegerField(
        _("inactivity window (days)"), default=365, validators=[MinValueValidator(30), MaxValueValidator(1095)],
        help_text=_("A customer with no purchase for this long and no contract in force has stopped buying."))
    horizon_days = models.PositiveIntegerField(
        _("prediction horizon (days)"), default=180, validators=[MinValueValidator(30), MaxValueValidator(730)])
    high_risk = models.FloatField(_("high risk from"), default=0.5,
                                  validators=[MinValueValidator(0.05), MaxValueValidator(0.99)])
    nps_favourable = models.PositiveSmallIntegerField(
        _("favourable attitude from NPS answer"), default=7, validators=[MaxValueValidator(10)])
    csat_favourable = models.PositiveSmallIntegerField(
        _("favourable attitude from CSAT answer"), default=4, validators=[MinValueValidator(1), MaxValueValidator(5)])
    repurchase_rate = models.FloatField(
        _("repeat buyer from repurchase rate"), default=0.5, validators=[MinValueValidator(0.05), MaxValueValidator(1)],
        help_text=_("Share of the last four quarters with a purchase or a contract in force."))

    class Meta:
        verbose_name = _("attrition settings")
        verbose_name_plural = _("attrition settings")

    def __str__(self) -> str:
        return str(_("attrition settings"))


class ModelRun(models.Model):
    """One training + scoring run: time-based validation metrics against the BG/NBD baseline."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    reference_date = models.DateField(_("scored as of"))
    train_cutoff = models.DateField(_("training cut-off"))
    test_cutoff = models.DateField(_("test cut-off"))
    horizon_days = models.PositiveIntegerField(_("horizon (days)"))
    customers = models.PositiveIntegerField(_("customers scored"), default=0)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    importances = models.JSONField(_("feature importances"), default=list, blank=True)
    curves = models.JSONField(_("ROC and calibration curves"), default=dict, blank=True)
    durations = models.JSONField(_("durations (s)"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The fitted classifier and the reasons' reference values (pickled by `services.model_run`), kept
    # on the latest successful run only: customers are rescored with it between nightly runs.
    model = models.BinaryField(_("fitted model"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("attrition model run")
        verbose_name_plural = _("attrition model runs")

    def __str__(self) -> str:
        return f"{self.reference_date:%Y-%m-%d} ({self.status})"


class AttritionRisk(models.Model):
    """A customer's latest risk of attrition over the horizon, its top reasons and loyalty type.

    `reasons`: up to three {"code", "params", "impact"} (rendered in the reader's language)."""

    party = models.OneToOneField("parties.Party", primary_key=True, on_delete=models.CASCADE,
                                 related_name="attrition_risk")
    run = models.ForeignKey(ModelRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    risk = models.FloatField(_("attrition risk"), validators=[MinValueValidator(0), MaxValueValidator(1)],
                             db_index=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    loyalty_type = models.CharField(_("loyalty type"), max_length=10, choices=LoyaltyType.choices,
                                    default=LoyaltyType.UNKNOWN, db_index=True)
    attitude = models.FloatField(_("attitude (0–10)"), null=True, blank=True)
    repurchase_rate = models.FloatField(_("repurchase rate"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("attrition risk")
        verbose_name_plural = _("attrition risks")

    def __str__(self) -> str:
        return f"{self.party_id}: {self.risk:.2f}"


class AttritionRecord(TimeStampedModel):
    """A lost customer: when, why, and the course's type (suggested from the signals, confirmed by a user)."""

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="attrition_records")
    date = models.DateField(_("lost on"))
    type = models.CharField(_("type"), max_length=16, choices=AttritionType.choices)
    suggested_type = models.CharField(_("suggested type"), max_length=16, choices=AttritionType.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=LossReason.choices, default=LossReason.OTHER)
    note = models.CharField(_("note"), max_length=300, blank=True)
    contract = models.ForeignKey("sales.Contract", verbose_name=_("contract"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=RecordStatus.choices,
                              default=RecordStatus.CONFIRMED, db_index=True)
    signals = models.JSONField(_("signals at the loss"), default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("lost customer")
        verbose_name_plural = _("lost customers")
        constraints = [models.UniqueConstraint(fields=["party"], condition=models.Q(status="suggested"),
                                               name="attrition_one_suggestion_per_party")]

    def __str__(self) -> str:
        return f"{self.party_id} {self.date:%Y-%m-%d} {self.type}"
