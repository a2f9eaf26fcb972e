"""Facts about customers that the sales force owns, registered for action rules and segments.

Imported only from `SalesConfig.ready()`: the facts registry lives in the actions app, to the right of
sales in the import order, and this registration is the one sanctioned crossing (a registry, no model).
"""
from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


def _open_opportunities() -> Coalesce:
    from fidelia.sales.enums import StageOutcome
    from fidelia.sales.models import Opportunity

    counted = (Opportunity.objects.filter(party=OuterRef("pk"), stage__outcome=StageOutcome.OPEN)
               .order_by().values("party").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _quote_pending() -> Exists:
    from fidelia.sales.enums import QuoteStatus
    from fidelia.sales.models import Quote

    return Exists(Quote.objects.filter(party=OuterRef("pk"), status=QuoteStatus.SENT))


def register_facts() -> None:
    from fidelia.actions.facts import Fact, register_fact

    register_fact(Fact("sales.open_opportunities", _("Open opportunities"), "number", _open_opportunities,
                       help=_("Opportunities neither won nor lost.")))
    register_fact(Fact("sales.quote_pending", _("A sent quote awaits an answer"), "boolean", _quote_pending))
