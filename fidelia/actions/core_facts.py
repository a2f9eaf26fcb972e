"""The core customer facts: identity, household, life events, holdings, contacts, stored analytics.

Registered from `ActionsConfig.ready()`. Each is an SQL expression over Party (or, for facts with
several values per customer, a correlated queryset: "any child", "any active contract"), so a rule
compiles to one query. Keys are `<owning area>.<name>`; changing a key breaks stored rules.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fidelia.actions.facts import Fact, register_fact
from fidelia.analytics.enums import AbcClass, RfmSegment
from fidelia.analytics.models import CustomerAnalytics
from fidelia.parties.enums import Csp, IncomeBracket, LifeEventKind, MemberRole, PartyKind, Stage
from fidelia.parties.models import HouseholdMember, LifeEvent
from fidelia.portfolio.enums import ValueStrategy
from fidelia.portfolio.models import PortfolioPosition
from fidelia.sales.enums import ContractStatus
from fidelia.sales.models import Contract, Product, ProductFamily


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _age_q(op: str, value: Any, as_of: dt.date) -> Q:
    """Age in whole years, compiled on the birth date: age ≥ N ⇔ born on or before as_of − N years."""
    if op == "is_empty":
        return Q(birth_date__isnull=True)
    if op == "is_not_empty":
        return Q(birth_date__isnull=False)

    def years(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 150:
            raise ValueError(str(_("the age must be a whole number of years between 0 and 150")))
        return v

    def at_least(n: int) -> Q:
        return Q(birth_date__lte=_add_years(as_of, -n))

    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise ValueError(str(_("the value must be a list of two values")))
        low, high = years(value[0]), years(value[1])
        return at_least(low) & ~at_least(high + 1)
    n = years(value)
    return {"eq": at_least(n) & ~at_least(n + 1), "ne": ~(at_least(n) & ~at_least(n + 1)),
            "gte": at_least(n), "gt": at_least(n + 1), "lt": ~at_least(n) & Q(birth_date__isnull=False),
            "lte": ~at_least(n + 1) & Q(birth_date__isnull=False)}[op]


def _events(kind: str) -> QuerySet[LifeEvent]:
    return LifeEvent.objects.filter(party=OuterRef("pk"), kind=kind)


def _last_event(kind: str) -> Subquery:
    return Subquery(_events(kind).order_by("-date").values("date")[:1])


def _active_contracts() -> QuerySet[Contract]:
    return Contract.objects.filter(party=OuterRef("pk"), status=ContractStatus.ACTIVE, archived_at__isnull=True)


def _analytics(field: str) -> Subquery:
    return Subquery(CustomerAnalytics.objects.filter(party=OuterRef("pk")).values(field)[:1])


def _strategy() -> Subquery:
    rows = PortfolioPosition.objects.filter(party=OuterRef("pk"), grid__is_default=True).order_by("-period")
    return Subquery(rows.values("strategy")[:1])


def _last_contact() -> Any:
    # Greatest() is NULL on SQLite as soon as one side is; coalescing each side with the other
    # gives the same answer on both databases.
    inbound, outbound = F("last_inbound_at"), F("last_outbound_at")
    return TruncDate(Greatest(Coalesce(inbound, outbound), Coalesce(outbound, inbound)))


def _products() -> list[tuple[str, str]]:
    return list(Product.objects.order_by("code").values_list("code", "name"))


def _families() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in ProductFamily.objects.order_by("name").values_list("pk", "name")]


def _children() -> QuerySet[HouseholdMember]:
    return HouseholdMember.objects.filter(party=OuterRef("pk"), role=MemberRole.CHILD)


CORE_FACTS = [
    Fact("parties.age", _("Age (years)"), "number", lambda: F("birth_date"), compiler=_age_q),
    Fact("parties.stage", _("Stage"), "choice", lambda: F("stage"), choices=lambda: Stage.choices),
    Fact("parties.kind", _("Person or organisation"), "choice", lambda: F("kind"), choices=lambda: PartyKind.choices),
    Fact("parties.csp", _("Socio-professional category"), "choice", lambda: F("csp"), choices=lambda: Csp.choices),
    Fact("parties.income_bracket", _("Income bracket"), "choice", lambda: F("income_bracket"),
         choices=lambda: IncomeBracket.choices),
    Fact("parties.postcode", _("Postcode"), "text", lambda: F("postcode")),
    Fact("parties.customer_since", _("Customer since"), "date", lambda: F("customer_since")),
    Fact("parties.birth_date", _("Birth date"), "date", lambda: F("birth_date")),
    Fact("parties.last_contact", _("Last contact (either way)"), "date", _last_contact),
    Fact("parties.child_birth_date", _("A child's birth date"), "date", lambda: F("pk"),
         related=lambda: (_children(), "birth_date"),
         help=_("Any child of the household: birthday, reaching an age.")),
    Fact("parties.vehicle_purchase", _("Last vehicle purchase"), "date",
         lambda: _last_event(LifeEventKind.VEHICLE_PURCHASE),
         help=_("Date of the latest vehicle purchase event: the vehicle's age.")),
    Fact("sales.product_held", _("Product held (active contract)"), "choice", lambda: F("pk"),
         choices=_products, related=lambda: (_active_contracts(), "product__code")),
    Fact("sales.family_held", _("Product family held (active contract)"), "choice", lambda: F("pk"),
         choices=_families, related=lambda: (_active_contracts(), "product__family_id")),
    Fact("sales.contract_renewal", _("A contract's renewal date"), "date", lambda: F("pk"),
         related=lambda: (_active_contracts(), "renewal_date")),
    Fact("analytics.abc_class", _("ABC class"), "choice", lambda: _analytics("abc_class"),
         choices=lambda: AbcClass.choices),
    Fact("analytics.rfm_segment", _("RFM segment"), "choice", lambda: _analytics("rfm_segment"),
         choices=lambda: RfmSegment.choices),
    Fact("analytics.revenue", _("Revenue of the analysed period (€)"), "number", lambda: _analytics("revenue")),
    Fact("analytics.recency_days", _("Days since the last purchase"), "number", lambda: _analytics("recency_days")),
    Fact("portfolio.strategy", _("Portfolio strategy"), "choice", _strategy, choices=lambda: ValueStrategy.choices),
]


def _life_event_fact(kind: str, label: Any) -> Fact:
    return Fact(f"parties.event.{kind}", format_lazy("{}: {}", _("Life event"), label), "date", lambda: F("pk"),
                related=lambda: (_events(kind), "date"))


def register_core_facts() -> None:
    for fact in CORE_FACTS:
        register_fact(fact)
    for kind, label in LifeEventKind.choices:
        register_fact(_life_event_fact(kind, label))
