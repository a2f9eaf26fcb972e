"""Customer facts of attrition for action rules and segments: the risk and the loyalty type."""
from __future__ import annotations

from django.db.models import FloatField, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from fidelia.actions.facts import Fact, register_fact


def _risk() -> Subquery:
    from fidelia.attrition.models import AttritionRisk

    return Subquery(AttritionRisk.objects.filter(party=OuterRef("pk")).values("risk")[:1], output_field=FloatField())


def _loyalty() -> Subquery:
    from fidelia.attrition.models import AttritionRisk

    return Subquery(AttritionRisk.objects.filter(party=OuterRef("pk")).values("loyalty_type")[:1])


def _loyalty_choices() -> list[tuple[str, object]]:
    from fidelia.attrition.enums import LoyaltyType

    return list(LoyaltyType.choices)


def register_facts() -> None:
    register_fact(Fact("attrition.risk", _("Attrition risk (0–1)"), "number", _risk,
                       help=_("Probability of stopping buying over the horizon, computed every night.")))
    register_fact(Fact("attrition.loyalty_type", _("Loyalty type"), "choice", _loyalty, choices=_loyalty_choices))
