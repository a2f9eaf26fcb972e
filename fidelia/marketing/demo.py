"""Demo marketing: four segments, two past campaigns with a control group and their results, a
draft SMS campaign and a birthday trigger. Deterministic; nothing is e-mailed (deliveries are
recorded as the channel would, dated in the past)."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from fidelia.accounts.models import User
from fidelia.marketing import services
from fidelia.marketing.channels import Delivery
from fidelia.marketing.enums import CampaignStatus, RecipientStatus, ResponseKind
from fidelia.marketing.models import Campaign, CampaignRecipient, CampaignResponse, Solicitation

SEED = 20268
SEGMENTS = [
    ("Clients Rhône-Alpes", "Clients des départements 01, 38, 42, 69, 73 et 74",
     {"all": [{"fact": "parties.stage", "operator": "eq", "value": "customer"},
              {"fact": "marketing.department", "operator": "in", "value": ["01", "38", "42", "69", "73", "74"]}]}),
    ("Meilleurs clients (A et B)", "Classes A et B de l’analyse ABC",
     {"all": [{"fact": "parties.stage", "operator": "eq", "value": "customer"},
              {"any": [{"fact": "analytics.abc_class", "operator": "eq", "value": "A"},
                       {"fact": "analytics.abc_class", "operator": "eq", "value": "B"}]}]}),
    ("Prospects opt-in e-mail", "Prospects ayant accepté les offres par e-mail",
     {"all": [{"fact": "parties.stage", "operator": "eq", "value": "prospect"},
              {"fact": "marketing.email_optin", "operator": "is_true"}]}),
    ("Jeunes actifs clients", "Clients de 25 à 40 ans",
     {"all": [{"fact": "parties.stage", "operator": "eq", "value": "customer"},
              {"fact": "parties.age", "operator": "between", "value": [25, 40]}]}),
]


def _deliver_in_the_past(campaign: Campaign, when: dt.datetime, rng: random.Random,
                         click: float, order: float) -> None:
    """Record the deliveries as the channel would, then date them and add responses."""
    rows = {r.pk: r for r in CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PLANNED)}
    CampaignRecipient.objects.filter(pk__in=rows).update(status=RecipientStatus.SENDING)
    services._record_deliveries(campaign, rows, [Delivery(pk, rng.random() > 0.01, bounced=True) for pk in rows])
    CampaignRecipient.objects.filter(campaign=campaign, sent_at__isnull=False).update(sent_at=when)
    Solicitation.objects.filter(campaign=campaign).update(at=when)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.DONE, launched_at=when, planned_at=when)
    campaign.refresh_from_db()
    responses = []
    for r in CampaignRecipient.objects.filter(campaign=campaign, status__in=[RecipientStatus.SENT, RecipientStatus.HELD_OUT]):
        test = r.status == RecipientStatus.SENT
        at = when + dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(8, 20))
        if test and rng.random() < click:
            responses.append(CampaignResponse(recipient=r, kind=ResponseKind.CLICK, at=at, url="/"))
        if rng.random() < (order if test else order / 2.5):
            amount = Decimal(rng.randrange(80, 1500))
            responses.append(CampaignResponse(recipient=r, kind=ResponseKind.ORDER, at=at, amount=amount,
                                              margin=(amount * campaign.margin_rate).quantize(Decimal("0.01")),
                                              key=f"demo:{r.pk}"))
    CampaignResponse.objects.bulk_create(responses, batch_size=2000)


def seed_demo(*, today: dt.date) -> None:
    rng = random.Random(SEED)
    actor = User.objects.filter(username="marketing").first() or User.objects.filter(role="admin").first()
    segs = [services.segment_save(actor=actor, name=n, description=d, definition=q) for n, d, q in SEGMENTS]
    window = {"send_from": dt.time(0, 0), "send_until": dt.time(23, 59)}
    spring = services.campaign_save(
        actor=actor, name="Épargne de printemps", channel="email", segment=segs[1], purpose="prospecting",
        subject_fr="{{ first_name }}, votre épargne mérite mieux", variant_b_subject="Un taux boosté rien que pour vous",
        body_fr="Bonjour {{ civility }} {{ last_name }},\n\nProfitez de notre livret à taux boosté jusqu’au 30 juin. "
                "Votre conseiller {{ owner_name }} vous attend.\n\nEn savoir plus : {{ tracked_url }}",
        subject_en="{{ first_name }}, your savings deserve better",
        body_en="Hello {{ first_name }},\n\nEnjoy our boosted savings rate until 30 June.",
        control_share=Decimal("0.15"), seed=11, fixed_cost=Decimal("1500"), cost_per_message=Decimal("0.04"),
        margin_rate=Decimal("0.25"), attribution_days=45, **window)
    mailing = services.campaign_save(
        actor=actor, name="Relance assurance auto (courrier)", channel="postal", segment=segs[0],
        purpose="prospecting", subject_fr="Votre assurance auto à prix juste",
        body_fr="{{ civility }} {{ last_name }}, comparez votre assurance auto avec notre offre.",
        control_share=Decimal("0.10"), seed=12, fixed_cost=Decimal("800"), cost_per_message=Decimal("0.90"),
        margin_rate=Decimal("0.30"), attribution_days=60, **window)
    now = timezone.now()
    for campaign, days, click, order in ((spring, 75, 0.09, 0.05), (mailing, 40, 0.0, 0.04)):
        when = now - dt.timedelta(days=days)
        services.campaign_plan(campaign=campaign, actor=actor, now=when)
        _deliver_in_the_past(campaign, when, rng, click, order)
    services.campaign_save(
        actor=actor, name="Jeunes actifs : crédit auto", channel="sms", segment=segs[3], purpose="prospecting",
        body_fr="{{ first_name }}, crédit auto à taux réduit ce mois-ci. Infos : {{ tracked_url }}",
        control_share=Decimal("0.10"), fixed_cost=Decimal("200"), cost_per_message=Decimal("0.06"))
    birthday = services.campaign_save(
        actor=actor, name="Bon anniversaire", channel="email", purpose="prospecting", trigger="birthday",
        subject_fr="Joyeux anniversaire {{ first_name }} !",
        body_fr="Toute l’équipe vous souhaite un joyeux anniversaire. Un cadeau vous attend en agence.",
        control_share=Decimal("0.05"))
    Campaign.objects.filter(pk=birthday.pk).update(status=CampaignStatus.SENDING)
