"""Facts of customer value that action rules and segments may test (registered from AppConfig.ready)."""
from __future__ import annotations

from django.db.models import Expression, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from fidelia.actions.facts import Fact, register_fact


def _value(field: str) -> Expression:
    from fidelia.clv.models import CustomerValue

    return Subquery(CustomerValue.objects.filter(party_id=OuterRef("pk")).values(field)[:1])


FACTS = [
    Fact("clv.clv_12m", _("Lifetime value, next 12 months (€)"), "number", lambda: _value("clv_12m"),
         help=_("Discounted expected margin over the next 12 months (BG/NBD × Gamma-Gamma).")),
    Fact("clv.p_alive", _("Probability still active"), "number", lambda: _value("p_alive"),
         help=_("Between 0 and 1: the chance the customer has not silently left.")),
    Fact("clv.capital", _("Customer capital (€)"), "number", lambda: _value("capital"),
         help=_("Discounted expected margin over the horizon minus the retention effort.")),
]


def register_facts() -> None:
    for fact in FACTS:
        register_fact(fact)
