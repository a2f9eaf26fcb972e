"""Facts that segments and action rules may test, owned by marketing (registered from ready()).

Time-windowed facts are computed relative to the moment the query is built ("now"): a segment
evaluated today counts the last 90 days from today.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fidelia.actions.facts import Fact, register_fact


def _since(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _count(qs: object) -> Expression:
    return Coalesce(Subquery(qs.values("party_id").annotate(n=Count("id")).values("n")[:1],  # type: ignore[attr-defined]
                             output_field=IntegerField()), Value(0))


def _contacted(days: int) -> Expression:
    from fidelia.marketing.models import Solicitation

    return _count(Solicitation.objects.filter(party_id=OuterRef("pk"), at__gte=_since(days)).order_by())


def _responded(days: int) -> Expression:
    from fidelia.marketing.models import CampaignResponse
    from fidelia.marketing.selectors import POSITIVE_RESPONSES

    rows = CampaignResponse.objects.filter(recipient__party_id=OuterRef("pk"), at__gte=_since(days),
                                           kind__in=POSITIVE_RESPONSES).order_by()
    return Coalesce(Subquery(rows.values("recipient__party_id").annotate(n=Count("recipient__campaign", distinct=True))
                             .values("n")[:1], output_field=IntegerField()), Value(0))


def _purchases(days: int, what: str) -> Expression:
    from fidelia.sales.models import Transaction

    rows = Transaction.objects.filter(party_id=OuterRef("pk"), date__gte=timezone.localdate() - dt.timedelta(days=days)
                                      ).order_by().values("party_id")
    if what == "count":
        return Coalesce(Subquery(rows.annotate(n=Count("id")).values("n")[:1], output_field=IntegerField()), Value(0))
    return Coalesce(Subquery(rows.annotate(s=Sum("amount")).values("s")[:1],
                             output_field=DecimalField(max_digits=14, decimal_places=2)), Value(0),
                    output_field=DecimalField(max_digits=14, decimal_places=2))


def _last_purchase() -> Expression:
    from fidelia.sales.models import Transaction

    return Subquery(Transaction.objects.filter(party_id=OuterRef("pk")).order_by("-date").values("date")[:1])


def _interactions(days: int) -> Expression:
    from fidelia.interactions.models import Interaction

    # A colleague's internal note is no contact with the customer.
    return _count(Interaction.objects.filter(party_id=OuterRef("pk"), occurred_at__gte=_since(days),
                                             is_internal=False).order_by())


def _consent(channel: str) -> Expression:
    """True when the latest prospecting decision on the channel is a yes (False when none)."""
    from fidelia.parties.models import ConsentRecord

    latest = ConsentRecord.objects.filter(party_id=OuterRef("pk"), channel=channel, purpose="prospecting").order_by(
        "-recorded_at", "-id")
    return Coalesce(Subquery(latest.values("granted")[:1], output_field=BooleanField()), Value(False))


def _owners() -> list[tuple[str, str]]:
    from fidelia.accounts.models import User

    return [(str(u.pk), u.get_full_name() or u.username) for u in User.objects.filter(is_active=True).order_by("username")]


def _teams() -> list[tuple[str, str]]:
    from fidelia.accounts.models import Team

    return [(str(t.pk), str(t)) for t in Team.objects.order_by("name")]


FACTS = [
    Fact("marketing.contacted_90d", _("Solicitations in the last 90 days"), "number", lambda: _contacted(90),
         help=_("Campaign messages and calls actually made (contact pressure).")),
    Fact("marketing.responded_365d", _("Campaigns answered in the last 12 months"), "number",
         lambda: _responded(365), help=_("Clicks, replies or orders attributed to a campaign.")),
    Fact("marketing.purchases_amount_365d", _("Purchases in the last 12 months (€)"), "number",
         lambda: _purchases(365, "amount")),
    Fact("marketing.purchases_count_365d", _("Number of purchases in the last 12 months"), "number",
         lambda: _purchases(365, "count")),
    Fact("marketing.purchases_count_90d", _("Number of purchases in the last 90 days"), "number",
         lambda: _purchases(90, "count")),
    Fact("marketing.last_purchase", _("Last purchase"), "date", _last_purchase),
    Fact("marketing.interactions_90d", _("Contacts logged in the last 90 days"), "number", lambda: _interactions(90)),
    Fact("marketing.department", _("Department (first two digits of the postcode)"), "text",
         lambda: Substr(F("postcode"), 1, 2)),
    Fact("marketing.email_optin", _("Agreed to e-mail offers"), "boolean", lambda: _consent("email")),
    Fact("marketing.sms_optin", _("Agreed to SMS offers"), "boolean", lambda: _consent("sms")),
    Fact("marketing.owner", _("Owner (account manager)"), "choice", lambda: F("owner_id"), choices=_owners),
    Fact("marketing.team", _("Team / agency"), "choice", lambda: F("team_id"), choices=_teams),
]


def register_facts() -> None:
    for fact in FACTS:
        register_fact(fact)
