"""Campaigns end to end on real SMTP: consent at send time, suppression, pressure, control group,
one-click unsubscribe, pause/resume without double sends, attribution and results."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from fidelia.core.errors import ValidationFailed
from fidelia.marketing import services
from fidelia.marketing.enums import CampaignStatus, RecipientStatus
from fidelia.marketing.models import CampaignRecipient, Solicitation
from fidelia.marketing.selectors import (
    campaign_response_signals,
    campaign_results,
    retention_effort_by_party,
)
from fidelia.marketing.tests.factories import campaign, segment
from fidelia.parties.models import ConsentRecord
from fidelia.parties.services import consent_record
from fidelia.parties.tests import factories
from fidelia.privacy.suppression import suppression_add

pytestmark = pytest.mark.django_db
WINDOW = {"send_from": dt.time(0, 0), "send_until": dt.time(23, 59)}


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a step and the jobs it queues after commit (Celery runs eagerly in tests)."""
    def call(step, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(**kwargs)
    return call


def _optin(party, actor, granted=True, channel="email"):
    consent_record(party=party, actor=actor, channel=channel, purpose="prospecting", granted=granted)


@pytest.fixture
def world(personas):
    m = personas.marketing
    yes = [factories.person(owner=personas.alice, stage="prospect") for _ in range(3)]
    for p in yes:
        _optin(p, personas.admin)
    soft = factories.person(owner=personas.alice, stage="customer")          # soft opt-in
    no_consent = factories.person(owner=personas.bob, stage="prospect")
    withdrawn = factories.person(owner=personas.bob, stage="customer")
    _optin(withdrawn, personas.admin, granted=False)
    suppressed = factories.person(owner=personas.bob, stage="prospect")
    _optin(suppressed, personas.admin)
    suppression_add(kind="email", value=suppressed.email)
    seg = segment(actor=m, definition={"all": [{"fact": "parties.kind", "operator": "eq", "value": "person"}]})
    return {"m": m, "yes": yes, "soft": soft, "no_consent": no_consent, "withdrawn": withdrawn,
            "suppressed": suppressed, "seg": seg}


def test_send_respects_consent_and_suppression(world, mail_server, run) -> None:
    c = campaign(actor=world["m"], seg=world["seg"], **WINDOW)
    report = services.campaign_plan(campaign=c, actor=world["m"])
    assert report.excluded == {"no_consent": 1, "withdrawn": 1, "suppressed": 1}
    run(services.campaign_launch, campaign=c, actor=world["m"])
    run(services.campaign_launch, campaign=c, actor=world["m"])  # double click: harmless
    received = {m.rcpt_tos[0] for m in mail_server.messages}
    allowed = {p.email for p in [*world["yes"], world["soft"]]}
    assert received == allowed and len(mail_server.messages) == 4
    c.refresh_from_db()
    assert c.status == CampaignStatus.DONE
    assert Solicitation.objects.filter(campaign=c).count() == 4
    msg = mail_server.messages[0].message
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(msg["List-Unsubscribe"]).strip().startswith("<http") and "/marketing/u/" in msg["List-Unsubscribe"]


def test_consent_is_checked_again_at_send_time(world, mail_server, run) -> None:
    c = campaign(actor=world["m"], seg=world["seg"], **WINDOW)
    services.campaign_plan(campaign=c, actor=world["m"])
    late = world["yes"][0]
    _optin(late, None, granted=False)  # withdrawn after planning
    run(services.campaign_launch, campaign=c, actor=world["m"])
    assert late.email not in {m.rcpt_tos[0] for m in mail_server.messages}
    row = CampaignRecipient.objects.get(campaign=c, party=late)
    assert (row.status, row.reason) == (RecipientStatus.EXCLUDED, "withdrawn")


@override_settings(FIDELIA_MARKETING_PRESSURE_MAX_EMAIL=1)
def test_pressure_cap_across_campaigns(world, mail_server, run) -> None:
    first = campaign(actor=world["m"], seg=world["seg"], **WINDOW)
    services.campaign_plan(campaign=first, actor=world["m"])
    run(services.campaign_launch, campaign=first, actor=world["m"])
    second = campaign(actor=world["m"], seg=world["seg"], name="Relance", **WINDOW)
    report = services.campaign_plan(campaign=second, actor=world["m"])
    assert report.excluded.get("pressure") == 4
    run(services.campaign_launch, campaign=second, actor=world["m"])
    assert len(mail_server.messages) == 4


def test_unsubscribe_withdraws_consent(world, mail_server, client, run) -> None:
    c = campaign(actor=world["m"], seg=world["seg"], **WINDOW)
    services.campaign_plan(campaign=c, actor=world["m"])
    run(services.campaign_launch, campaign=c, actor=world["m"])
    msg = mail_server.messages[0].message
    url = str(msg["List-Unsubscribe"]).strip().strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.post("/" + path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    party_email = mail_server.messages[0].rcpt_tos[0]
    latest = ConsentRecord.objects.filter(party__email=party_email, channel="email").order_by("-recorded_at", "-id")[0]
    assert latest.granted is False
    assert client.post("/" + path).status_code == 200  # twice: still fine
    assert client.post("/marketing/u/forged-token/").status_code == 400


def test_pause_resume_never_sends_twice(world, mail_server, settings, run) -> None:
    settings.FIDELIA_MARKETING_BATCH_SIZE = 2
    c = campaign(actor=world["m"], seg=world["seg"], **WINDOW)
    services.campaign_plan(campaign=c, actor=world["m"])
    c.status = CampaignStatus.SENDING
    c.save()
    ids = list(CampaignRecipient.objects.filter(campaign=c, status="planned").values_list("pk", flat=True))
    services.campaign_send_batch(campaign_id=c.pk, recipient_ids=ids[:2])
    services.campaign_pause(campaign=c, actor=world["m"])
    assert services.campaign_send_batch(campaign_id=c.pk, recipient_ids=ids) == {"sent": 0}
    services.campaign_resume(campaign=c, actor=world["m"])  # (its queued dispatch is not run here)
    services.campaign_send_batch(campaign_id=c.pk, recipient_ids=ids)  # a retried batch: only the rest
    rcpts = [m.rcpt_tos[0] for m in mail_server.messages]
    assert len(rcpts) == len(set(rcpts)) == 4


def test_control_group_results_and_attribution(personas, mail_server, run) -> None:
    from fidelia.sales.models import Product, ProductFamily
    from fidelia.sales.services import transaction_record

    m = personas.marketing
    people = [factories.person(owner=personas.alice, stage="customer") for _ in range(20)]
    seg = segment(actor=m)
    c = campaign(actor=m, seg=seg, control_share=Decimal("0.25"), **WINDOW)
    report = services.campaign_plan(campaign=c, actor=m)
    assert report.control == 5 and report.test == 15
    run(services.campaign_launch, campaign=c, actor=m)
    family = ProductFamily.objects.create(name="Épargne")
    product = Product.objects.create(code="LIVA", name="Livret A", family=family, kind="tactical",
                                     price=Decimal("10.00"), margin_rate=Decimal("0.3"))
    for p in people[:6]:
        transaction_record(party=p, actor=personas.admin, product=product, date=timezone.localdate(),
                           amount=Decimal("100"), channel="web")
    services.campaign_attribute(campaign=c)
    assert services.campaign_attribute(campaign=c) == 0  # each purchase attributed once
    r = campaign_results(campaign=c)
    assert r.sent == 15 and r.control == 5
    assert r.kpis.cost_per_contact == (Decimal("100") + Decimal("0.05") * 15) / 15
    assert r.response_uplift.low is not None
    assert r.revenue_uplift.difference is not None
    signals = campaign_response_signals(as_of=timezone.localdate())
    assert sum(s.contacted_365d for s in signals.values()) == 15
    effort = retention_effort_by_party(since=timezone.localdate() - dt.timedelta(days=1))
    assert len(effort) == 15 and all(v == Decimal("6.72") for v in effort.values())  # 100/15 + 0.05
    # rescoring one customer reads their rows only, with the whole-base figures
    one = sorted(effort)[:1]
    assert retention_effort_by_party(since=timezone.localdate() - dt.timedelta(days=1), party_ids=one) == {
        one[0]: Decimal("6.72")}
    assert campaign_response_signals(as_of=timezone.localdate(), party_ids=one) == {one[0]: signals[one[0]]}


def test_templates_refuse_unknown_fields(world) -> None:
    with pytest.raises(ValidationFailed) as exc:
        campaign(actor=world["m"], seg=world["seg"], body_fr="Bonjour {{ prenom }}")
    assert "{{ prenom }}" in exc.value.message


def test_only_marketers_run_campaigns(world, personas) -> None:
    from fidelia.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        campaign(actor=personas.alice, seg=world["seg"])


def test_phone_campaign_lands_in_actions_on_a_legal_day(personas, run) -> None:
    from fidelia.actions.models import Action
    from fidelia.marketing.rules import phone_window_open

    people = [factories.person(owner=personas.alice, stage="customer") for _ in range(3)]
    seg = segment(actor=personas.marketing)
    c = campaign(actor=personas.marketing, seg=seg, channel="phone", script="Bonjour {{ first_name }}", **WINDOW)
    services.campaign_plan(campaign=c, actor=personas.marketing)
    run(services.campaign_launch, campaign=c, actor=personas.marketing)
    actions = Action.objects.filter(source="campaign", party__in=people)
    assert actions.count() == 3 and {a.owner_id for a in actions} == {personas.alice.pk}
    assert all(phone_window_open(dt.datetime.combine(a.due_on, dt.time(10, 30))) for a in actions)


def test_birthday_trigger_is_idempotent(personas, mail_server, run) -> None:
    from fidelia.marketing.models import Campaign
    from fidelia.marketing.triggers import triggers_run

    today = timezone.localdate()
    born = today.replace(year=today.year - 40) if not (today.month == 2 and today.day == 29) else dt.date(1984, 2, 29)
    hero = factories.person(owner=personas.alice, stage="customer", birth_date=born)
    factories.person(owner=personas.alice, stage="customer", birth_date=dt.date(1980, 1, 1) if today.month != 1
                     else dt.date(1980, 6, 1))
    t = services.campaign_save(actor=personas.marketing, name="Anniversaire", channel="email", trigger="birthday",
                               subject_fr="Joyeux anniversaire", body_fr="Bonne fête {{ first_name }}", **WINDOW)
    Campaign.objects.filter(pk=t.pk).update(status=CampaignStatus.SENDING)
    run(triggers_run, as_of=today)
    run(triggers_run, as_of=today)
    assert [m.rcpt_tos[0] for m in mail_server.messages] == [hero.email]

