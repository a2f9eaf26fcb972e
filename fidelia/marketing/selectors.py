"""Reads of marketing, always through the access rules of `accounts/policies.py`.

Promised to other apps (signatures are a contract):
`segment_members`, `campaign_response_signals`, `retention_effort_by_party`.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.actions.compiler import matching_parties
from fidelia.marketing.enums import RecipientStatus, ResponseKind
from fidelia.marketing.kpis import (
    CampaignFigures,
    Kpis,
    Uplift,
    ab_winner,
    campaign_kpis,
    mean_uplift,
    proportion_uplift,
)
from fidelia.marketing.models import (
    Campaign,
    CampaignRecipient,
    CampaignResponse,
    Segment,
    Solicitation,
)
from fidelia.parties.models import Party
from fidelia.parties.selectors import parties_for_user

if TYPE_CHECKING:
    from fidelia.accounts.models import User

# Responses that show interest (an unsubscribe or a refusal is an answer, not a response).
POSITIVE_RESPONSES = (ResponseKind.CLICK, ResponseKind.REPLY, ResponseKind.ORDER, ResponseKind.OPPORTUNITY,
                      ResponseKind.FORM)


@dataclass(frozen=True)
class CampaignSignals:
    contacted_365d: int
    responded_365d: int


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def segments_for_user(user: User) -> QuerySet[Segment]:
    """Segments a user may open: marketers and whoever reads campaign results."""
    if not (policies.can_run_campaigns(user) or policies.can_view_campaigns(user)):
        return Segment.objects.none()
    return Segment.objects.all()


def segment_get_for_user(*, user: User, pk: Any) -> Segment:
    segment = segments_for_user(user).filter(pk=_pk(pk)).first()
    if segment is None:
        raise Http404
    return segment


def segment_evaluate(*, definition: Any, user: User, as_of: dt.date | None = None) -> QuerySet[Party]:
    """Live members of a definition, restricted to what `user` may read: ONE SQL query.
    Raises `ValidationFailed` naming the faulty clause."""
    base = parties_for_user(user).filter(erased_at__isnull=True)
    return matching_parties(definition, as_of=as_of or timezone.localdate(), base=base)


def segment_members(*, segment_id: int, user: User) -> QuerySet[Party]:
    """The parties of a saved segment that `user` may read (Http404 for an unknown segment)."""
    segment = Segment.objects.filter(pk=_pk(segment_id)).first()
    if segment is None:
        raise Http404
    return segment_evaluate(definition=segment.definition, user=user)


def campaigns_for_user(user: User) -> QuerySet[Campaign]:
    if not (policies.can_run_campaigns(user) or policies.can_view_campaigns(user)):
        return Campaign.objects.none()
    return Campaign.objects.select_related("segment")


def campaign_get_for_user(*, user: User, pk: Any) -> Campaign:
    campaign = campaigns_for_user(user).filter(pk=_pk(pk)).first()
    if campaign is None:
        raise Http404
    return campaign


def campaign_response_signals(*, as_of: dt.date, party_ids: list[int] | None = None) -> dict[int, CampaignSignals]:
    """party_id → messages received and campaigns answered in the 365 days before `as_of`
    (of `party_ids` only when given: rescoring a few customers)."""
    start = timezone.make_aware(dt.datetime.combine(as_of - dt.timedelta(days=365), dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    solicitations = Solicitation.objects.filter(at__gte=start, at__lt=end)
    responses = CampaignResponse.objects.filter(at__gte=start, at__lt=end, kind__in=POSITIVE_RESPONSES)
    if party_ids is not None:
        solicitations = solicitations.filter(party_id__in=party_ids)
        responses = responses.filter(recipient__party_id__in=party_ids)
    contacted = dict(solicitations.values("party_id").annotate(n=Count("id")).values_list("party_id", "n"))
    responded = dict(responses.values("recipient__party_id").annotate(n=Count("recipient__campaign_id", distinct=True))
                     .values_list("recipient__party_id", "n"))
    return {pid: CampaignSignals(contacted_365d=contacted.get(pid, 0), responded_365d=responded.get(pid, 0))
            for pid in set(contacted) | set(responded)}


def retention_effort_by_party(*, since: dt.date, party_ids: list[int] | None = None) -> dict[int, Decimal]:
    """party_id → commercial effort spent on them since `since`: for each campaign, its total cost
    shared equally among the messages it sent (fixed cost / sent + cost per message). With
    `party_ids`, the effort of those customers only (the shares still count every message)."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    sent = CampaignRecipient.objects.filter(status=RecipientStatus.SENT, sent_at__gte=start)
    mine = sent if party_ids is None else sent.filter(party_id__in=party_ids)
    campaigns = mine.values("campaign_id").distinct()
    per_campaign = {row["campaign_id"]: row["n"]
                    for row in sent.filter(campaign_id__in=campaigns).values("campaign_id").annotate(n=Count("id"))}
    costs = {c.pk: (c.fixed_cost / per_campaign[c.pk] if per_campaign[c.pk] else Decimal(0)) + c.cost_per_message
             for c in Campaign.objects.filter(pk__in=per_campaign).only("fixed_cost", "cost_per_message")}
    effort: dict[int, Decimal] = defaultdict(Decimal)
    for party_id, campaign_id in mine.values_list("party_id", "campaign_id").iterator(chunk_size=5000):
        effort[party_id] += costs[campaign_id]
    return {pid: value.quantize(Decimal("0.01")) for pid, value in effort.items()}


def party_campaign_history(*, party: Party, limit: int = 20) -> list[CampaignRecipient]:
    """The customer's last campaigns (for the customer file panel)."""
    return list(CampaignRecipient.objects.filter(party=party).select_related("campaign")
                .annotate(n_responses=Count("responses", filter=Q(responses__kind__in=POSITIVE_RESPONSES)))
                .order_by("-campaign__created_at")[:limit])


@dataclass
class CampaignResults:
    campaign: Campaign
    targeted: int
    excluded: dict[str, int]
    sent: int
    control: int
    bounced: int
    failed: int
    responders: int
    clicks: int
    unsubscribes: int
    replies: int
    forms: int
    opportunities: int
    orders: int
    revenue: Decimal
    margin: Decimal
    total_cost: Decimal
    kpis: Kpis
    response_uplift: Uplift
    revenue_uplift: Uplift
    variants: dict[str, dict[str, Any]]
    winner: str | None
    daily: list[dict[str, Any]]

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())

    @property
    def excluded_labelled(self) -> list[tuple[str, int]]:
        from fidelia.marketing.enums import ExclusionReason

        labels = dict(ExclusionReason.choices)
        return [(str(labels.get(k, k)), n) for k, n in sorted(self.excluded.items(), key=lambda kv: -kv[1])]


def _moments(values: dict[int, Decimal], n: int) -> list[float]:
    """Revenue per person of a group (people without purchase count as zero)."""
    data = [float(v) for v in values.values()]
    return data + [0.0] * max(0, n - len(data))


def campaign_results(*, campaign: Campaign) -> CampaignResults:
    """Figures, DOMAIN.md KPIs and uplift against the control of one campaign: a handful of
    aggregate queries whatever the number of recipients."""
    recipients = CampaignRecipient.objects.filter(campaign=campaign)
    by_status: dict[str, int] = defaultdict(int)
    excluded: dict[str, int] = defaultdict(int)
    for row in recipients.values("status", "reason").annotate(n=Count("id")):
        by_status[row["status"]] += row["n"]
        if row["status"] == RecipientStatus.EXCLUDED:
            excluded[row["reason"] or "other"] += row["n"]
    sent, control = by_status[RecipientStatus.SENT], by_status[RecipientStatus.HELD_OUT]
    responses = CampaignResponse.objects.filter(recipient__campaign=campaign)
    test_resp = responses.filter(recipient__status=RecipientStatus.SENT)
    ctrl_resp = responses.filter(recipient__status=RecipientStatus.HELD_OUT)
    agg = test_resp.aggregate(
        responders=Count("recipient", distinct=True, filter=Q(kind__in=POSITIVE_RESPONSES)),
        clicks=Count("id", filter=Q(kind=ResponseKind.CLICK)),
        unsub=Count("id", filter=Q(kind=ResponseKind.UNSUBSCRIBE)),
        replies=Count("id", filter=Q(kind=ResponseKind.REPLY)), forms=Count("id", filter=Q(kind=ResponseKind.FORM)),
        opportunities=Count("id", filter=Q(kind=ResponseKind.OPPORTUNITY)),
        orders=Count("id", filter=Q(kind=ResponseKind.ORDER)),
        revenue=Sum("amount", filter=Q(kind=ResponseKind.ORDER)), margin=Sum("margin", filter=Q(kind=ResponseKind.ORDER)))
    ctrl_responders = ctrl_resp.filter(kind__in=POSITIVE_RESPONSES).values("recipient").distinct().count()
    revenue, margin = agg["revenue"] or Decimal(0), agg["margin"] or Decimal(0)
    total_cost = campaign.fixed_cost + campaign.cost_per_message * sent
    figures = CampaignFigures(total_cost=total_cost, sent=sent, responses=agg["responders"], orders=agg["orders"],
                              order_revenue=revenue, gross_margin=margin)
    per_person = dict(test_resp.filter(kind=ResponseKind.ORDER).values("recipient").annotate(s=Sum("amount"))
                      .values_list("recipient", "s"))
    per_person_ctrl = dict(ctrl_resp.filter(kind=ResponseKind.ORDER).values("recipient").annotate(s=Sum("amount"))
                           .values_list("recipient", "s"))
    variants: dict[str, dict[str, Any]] = {}
    if campaign.variant_b_subject:
        for row in recipients.filter(status=RecipientStatus.SENT).values("variant").annotate(
                n=Count("id", distinct=True),
                hits=Count("responses__recipient", distinct=True, filter=Q(responses__kind__in=POSITIVE_RESPONSES)),
                clicks=Count("responses", filter=Q(responses__kind=ResponseKind.CLICK)),
                revenue=Sum("responses__amount", filter=Q(responses__kind=ResponseKind.ORDER))):
            variants[row["variant"]] = {"sent": row["n"], "responses": row["hits"], "clicks": row["clicks"],
                                        "revenue": row["revenue"] or Decimal(0)}
    rule = campaign.winner_rule
    winner = ab_winner({k: (v["sent"], v["clicks"] if rule == "click_rate" else v["responses"], v["revenue"])
                        for k, v in variants.items()}, rule) if variants else None
    daily = [{"day": d.isoformat(), "n": n} for d, n in
             test_resp.filter(kind__in=POSITIVE_RESPONSES).annotate(day=TruncDate("at")).values("day")
             .annotate(n=Count("id")).order_by("day").values_list("day", "n") if d]
    return CampaignResults(
        campaign=campaign, targeted=sum(by_status.values()), excluded=dict(excluded), sent=sent, control=control,
        bounced=by_status[RecipientStatus.BOUNCED], failed=by_status[RecipientStatus.FAILED],
        responders=agg["responders"], clicks=agg["clicks"], unsubscribes=agg["unsub"], orders=agg["orders"],
        replies=agg["replies"], forms=agg["forms"], opportunities=agg["opportunities"],
        revenue=revenue, margin=margin, total_cost=total_cost, kpis=campaign_kpis(figures),
        response_uplift=proportion_uplift(agg["responders"], sent, ctrl_responders, control),
        revenue_uplift=mean_uplift(_moments(per_person, sent), _moments(per_person_ctrl, control)),
        variants=variants, winner=winner, daily=daily)


def campaigns_comparison(*, user: User, limit: int = 20) -> list[CampaignResults]:
    """Results of the last launched campaigns, side by side."""
    return [campaign_results(campaign=c) for c in
            campaigns_for_user(user).filter(launched_at__isnull=False).order_by("-launched_at")[:limit]]


def party_pressure(*, party: Party, now: dt.datetime | None = None) -> dict[str, int]:
    """Solicitations of the customer in the pressure window, per channel and in all."""
    from django.conf import settings

    now = now or timezone.now()
    rows = dict(Solicitation.objects.filter(party=party, at__gte=now - dt.timedelta(
        days=settings.FIDELIA_MARKETING_PRESSURE_DAYS)).values("channel").annotate(n=Count("id"))
                .values_list("channel", "n"))
    return {"total": sum(rows.values()), **rows}


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


def campaign_chart_data(r: CampaignResults) -> dict[str, Any]:
    """JSON for the dashboard charts: the funnel, exclusions by reason, test vs control, responses per day."""
    from fidelia.marketing.enums import ExclusionReason

    labels = dict(ExclusionReason.choices)
    return {
        "funnel": [{"label": str(_("Targeted")), "value": r.targeted}, {"label": str(_("Sent")), "value": r.sent},
                   {"label": str(_("Responded")), "value": r.responders}, {"label": str(_("Ordered")), "value": r.orders}],
        "exclusions": [{"label": str(labels.get(k, k)), "value": v} for k, v in sorted(r.excluded.items())],
        "uplift": {"test": _f(r.response_uplift.test_rate), "control": _f(r.response_uplift.control_rate),
                   "low": _f(r.response_uplift.low), "high": _f(r.response_uplift.high),
                   "labels": [str(_("Test")), str(_("Control"))]},
        "daily": r.daily,
    }


def comparison_chart_data(results: list[CampaignResults]) -> dict[str, Any]:
    return {"campaigns": [{"name": r.campaign.name, "response_rate": _f(r.kpis.response_rate),
                           "roi": _f(r.kpis.roi), "cost_per_contact": _f(r.kpis.cost_per_contact)}
                          for r in results]}


@dataclass
class Preview:
    party: Party | None
    subject: str
    body: str
    address: str


def campaign_preview(*, campaign: Campaign, user: User, party_id: Any = None) -> Preview:
    """The personalised message for one member of the segment (or of the planned recipients)."""
    from fidelia.marketing.eligibility import PARTY_FIELDS, address_of
    from fidelia.marketing.services import build_message

    readable = parties_for_user(user)
    if party_id:
        party = readable.filter(pk=_pk(party_id)).first()
        if party is None:
            raise Http404
    else:
        first = CampaignRecipient.objects.filter(campaign=campaign).order_by("pk").values_list("party_id", flat=True).first()
        party = readable.filter(pk=first).first() if first else (
            segment_evaluate(definition=campaign.segment.definition, user=user).order_by("pk").first()
            if campaign.segment else None)
    if party is None:
        return Preview(None, campaign.subject_fr, campaign.body_fr, "")
    row = Party.objects.filter(pk=party.pk).values(*PARTY_FIELDS).get()
    recipient = CampaignRecipient.objects.filter(campaign=campaign, party=party).first() or CampaignRecipient(
        pk=0, campaign=campaign, party=party)
    owner = {party.owner_id: party.owner.get_full_name()} if party.owner_id else {}
    message = build_message(campaign, recipient, row, address_of(campaign.channel, row), owner)
    return Preview(party, message.subject, message.body, message.address)


def mail_merge_rows(*, campaign: Campaign) -> list[dict[str, str]]:
    """One row per letter sent, with the primary postal address (for the printer's mail merge)."""
    from fidelia.parties.models import Address

    rows = list(CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.SENT).values(
        "pk", "party_id", "party__civility", "party__first_name", "party__last_name", "party__display_name",
        "party__postcode", "party__city"))
    addresses = list(Address.objects.filter(party_id__in=[r["party_id"] for r in rows])
                     .order_by("party_id", "-is_primary", "id").values("party_id", "line1"))
    lines = {a["party_id"]: a for a in reversed(addresses)}  # the primary (first) wins
    return [{"recipient": str(r["pk"]), "civility": r["party__civility"], "first_name": r["party__first_name"],
             "last_name": r["party__last_name"], "display_name": r["party__display_name"],
             "address": (lines.get(r["party_id"]) or {}).get("line1", ""), "postcode": r["party__postcode"],
             "city": r["party__city"], "subject": campaign.subject_fr, "body": campaign.body_fr} for r in rows]
