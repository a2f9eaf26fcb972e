"""Scoring grids and their criteria, entered scores, stored positions (monthly) and purchase potentials.

Entered scores and purchase potentials are facts about a customer (personal data when the customer
is a person): `privacy.py` exports and erases them. Positions are derived results, recomputed by
`services.portfolio_run`; one row per grid, customer and month, so the same table is both the
current position (the latest period) and the trajectory (all periods).
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.core.models import TimeStampedModel, VersionedModel
from fidelia.portfolio.enums import (
    Coefficient,
    CriterionGroup,
    CriterionSource,
    Metric,
    Quadrant,
    RadarStrategy,
    RelationshipPolicy,
    RuleMethod,
    ValueStrategy,
)

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class ScoringGrid(VersionedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default grid"), default=False)
    last_period = models.DateField(_("last computed month"), null=True, blank=True, editable=False)
    # whole-base figures of the last month on the potential × performance matrix (averages, counts,
    # revenue), stored by the run so that a whole-base matrix does not aggregate every position again
    summary = models.JSONField(_("summary of the last month"), default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("scoring grid")
        verbose_name_plural = _("scoring grids")

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """One weighted criterion. A derived one maps `metric` to 1–5 by quintiles or by `thresholds`
    (four ascending limits: a value reaching the k-th limit scores k + 1)."""

    grid = models.ForeignKey(ScoringGrid, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    group = models.CharField(_("group"), max_length=12, choices=CriterionGroup.choices)
    coefficient = models.PositiveSmallIntegerField(_("coefficient"), default=Coefficient.IMPORTANT,
                                                   validators=[MinValueValidator(1), MaxValueValidator(100)])
    source = models.CharField(_("source"), max_length=8, choices=CriterionSource.choices,
                              default=CriterionSource.ENTERED)
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices, blank=True)
    method = models.CharField(_("rule"), max_length=12, choices=RuleMethod.choices, blank=True)
    thresholds = models.JSONField(_("thresholds"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["grid", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["grid", "code"], name="portfolio_criterion_code_unique")]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.name


class EnteredScore(models.Model):
    """A rep's 1–5 score of a customer on an entered criterion, with who and when."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="entered_scores")
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="portfolio_scores")
    score = models.PositiveSmallIntegerField(_("score"), validators=SCORE_VALIDATORS)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    entered_at = models.DateTimeField(_("entered on"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["criterion", "party"], name="portfolio_score_unique")]
        verbose_name = _("entered score")
        verbose_name_plural = _("entered scores")

    def __str__(self) -> str:
        return f"{self.criterion_id}/{self.party_id}: {self.score}"


class PortfolioPosition(models.Model):
    """A customer's computed figures and grid position for one month (`period` = its first day)."""

    grid = models.ForeignKey(ScoringGrid, on_delete=models.CASCADE, related_name="positions")
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="portfolio_positions")
    period = models.DateField(_("month"))
    potential = models.FloatField(_("potential"), null=True)
    performance = models.FloatField(_("performance"), null=True)
    revenue = models.DecimalField(_("revenue, 12 months"), max_digits=14, decimal_places=2, default=Decimal(0))
    margin = models.DecimalField(_("margin, 12 months"), max_digits=14, decimal_places=2, default=Decimal(0))
    frequency = models.PositiveIntegerField(_("purchases, 12 months"), default=0)
    seniority = models.FloatField(_("seniority (years)"), null=True)
    equipment_rate = models.FloatField(_("equipment rate"), null=True)
    revenue_share = models.FloatField(_("share of revenue (%)"), default=0.0)
    scores = models.JSONField(_("criterion scores"), default=dict)
    quadrant = models.CharField(_("quadrant"), max_length=2, choices=Quadrant.choices, blank=True)
    strategy = models.CharField(_("strategy"), max_length=16, choices=ValueStrategy.choices, blank=True)
    policy = models.CharField(_("relationship policy"), max_length=16, choices=RelationshipPolicy.choices,
                              blank=True)
    computed_at = models.DateTimeField(_("computed on"), auto_now=True)

    class Meta:
        ordering = ["grid", "period", "party"]
        constraints = [models.UniqueConstraint(fields=["grid", "party", "period"], name="portfolio_position_unique")]
        # a month of a grid, largest customers first (the matrix draws those); a customer's path
        indexes = [models.Index(fields=["grid", "period", "-revenue"], name="portfolio_pos_month_revenue"),
                   models.Index(fields=["party", "grid", "period"], name="portfolio_pos_party_path")]
        verbose_name = _("portfolio position")
        verbose_name_plural = _("portfolio positions")

    def __str__(self) -> str:
        return f"{self.grid_id}/{self.party_id}/{self.period:%Y-%m}"


class PurchasePotential(models.Model):
    """A customer's total purchases in a product family in a year, from every supplier (RADAR, TCC)."""

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="purchase_potentials")
    family = models.ForeignKey("sales.ProductFamily", verbose_name=_("product family"), on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    amount = models.DecimalField(_("total purchases (€)"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    entered_at = models.DateTimeField(_("entered on"), auto_now=True)

    class Meta:
        ordering = ["-year", "family__name"]
        constraints = [models.UniqueConstraint(fields=["party", "family", "year"], name="portfolio_potential_unique")]
        verbose_name = _("purchase potential")
        verbose_name_plural = _("purchase potentials")

    def __str__(self) -> str:
        return f"{self.party_id}/{self.family_id}/{self.year}: {self.amount}"


class RadarPosition(TimeStampedModel):
    """A customer's competitive contribution (TCC) over the families with a known potential, and the
    RADAR strategy suggested for the year."""

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="radar_positions")
    year = models.PositiveSmallIntegerField(_("year"))
    our_sales = models.DecimalField(_("our sales (€)"), max_digits=14, decimal_places=2, default=Decimal(0))
    purchase_potential = models.DecimalField(_("total purchases (€)"), max_digits=14, decimal_places=2, null=True)
    tcc = models.FloatField(_("TCC"), null=True)
    # revenue over the 12 months ending at the year's end (or the run date), and the 12 months before
    revenue = models.DecimalField(_("revenue, 12 months"), max_digits=14, decimal_places=2, default=Decimal(0))
    previous_revenue = models.DecimalField(_("revenue, 12 months before"), max_digits=14, decimal_places=2,
                                           default=Decimal(0))
    strategy = models.CharField(_("RADAR strategy"), max_length=12, choices=RadarStrategy.choices, blank=True)
    # copied from the default grid's position at the run, so the RADAR page aggregates one table
    quadrant = models.CharField(_("value quadrant"), max_length=2, choices=Quadrant.choices, blank=True)
    potential = models.FloatField(_("potential"), null=True)
    equipment_rate = models.FloatField(_("equipment rate"), null=True)

    class Meta:
        ordering = ["-year", "party"]
        constraints = [models.UniqueConstraint(fields=["party", "year"], name="portfolio_radar_unique")]
        indexes = [models.Index(fields=["year", "-revenue"], name="portfolio_radar_year_revenue")]
        verbose_name = _("RADAR position")
        verbose_name_plural = _("RADAR positions")

    def __str__(self) -> str:
        return f"{self.party_id}/{self.year}: {self.strategy}"
