"""Choices of portfolio management: criterion groups and sources, metrics, quadrants, strategies."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CriterionGroup(models.TextChoices):
    POTENTIAL = "potential", _("Potential")
    PERFORMANCE = "performance", _("Performance")


class Coefficient(models.IntegerChoices):
    """The course's weights; any positive integer is accepted, these are the defaults offered."""

    FAIRLY = 1, _("1 — fairly important")
    IMPORTANT = 2, _("2 — important")
    VERY = 3, _("3 — very important")


class CriterionSource(models.TextChoices):
    ENTERED = "entered", _("Entered by the rep (1–5)")
    DERIVED = "derived", _("Derived from data by a rule")


class Metric(models.TextChoices):
    """Customer figures a derived criterion can score (all over the 12 months before the run date)."""

    REVENUE_12M = "revenue_12m", _("Revenue, last 12 months")
    MARGIN_12M = "margin_12m", _("Margin, last 12 months")
    FREQUENCY_12M = "frequency_12m", _("Purchase frequency, last 12 months")
    SENIORITY = "seniority", _("Seniority (years as a customer)")
    EQUIPMENT_RATE = "equipment_rate", _("Equipment rate")
    EMPLOYEES = "employees", _("Company employees")
    RFM_SCORE = "rfm_score", _("RFM score: mean of R, F and M (when computed)")
    ABC_CLASS = "abc_class", _("ABC class: A = 3, B = 2, C = 1 (when computed)")


class RuleMethod(models.TextChoices):
    QUINTILES = "quintiles", _("Quintiles of the base (20 % per score)")
    THRESHOLDS = "thresholds", _("Thresholds (4 ascending limits)")


class Quadrant(models.TextChoices):
    """Position against the portfolio averages: x = potential (future), y = performance (past)."""

    TR = "tr", _("High potential, high performance")
    TL = "tl", _("Low potential, high performance")
    BR = "br", _("High potential, low performance")
    BL = "bl", _("Low potential, low performance")


class ValueStrategy(models.TextChoices):
    MULTI_EQUIPMENT = "multi_equipment", _("Multi-equipment")
    LOYALTY = "loyalty", _("Loyalty")
    TERMINATION = "termination", _("Termination")
    RETENTION = "retention", _("Retention")


class RelationshipPolicy(models.TextChoices):
    LOYALTY = "loyalty", _("Loyalty")
    RATIONALISATION = "rationalisation", _("Rationalisation")
    ABANDONMENT = "abandonment", _("Abandonment")
    RECONQUEST = "reconquest", _("Reconquest")


class RadarStrategy(models.TextChoices):
    REACTIVATE = "reactivate", _("Reactivate")
    ACQUIRE = "acquire", _("Acquire")
    DEVELOP = "develop", _("Develop")
    ACCOMPANY = "accompany", _("Accompany")
    RETAIN = "retain", _("Retain")


# The customer value quadrants (value = past profitability + future potential) and what to do.
QUADRANT_STRATEGY: dict[str, tuple[str, str]] = {
    Quadrant.TR: (ValueStrategy.LOYALTY, RelationshipPolicy.LOYALTY),
    Quadrant.BR: (ValueStrategy.MULTI_EQUIPMENT, RelationshipPolicy.RECONQUEST),
    Quadrant.TL: (ValueStrategy.RETENTION, RelationshipPolicy.RATIONALISATION),
    Quadrant.BL: (ValueStrategy.TERMINATION, RelationshipPolicy.ABANDONMENT),
}
