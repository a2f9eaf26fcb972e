"""Responses captured automatically: purchases and opportunities attributed when sales announces them
(and by the daily catch-up), replies read from inbound e-mail, web forms reached from a tracked link,
and each recipient written to in their language — on real SMTP."""
from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from email.message import EmailMessage

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fidelia.core.testing import make_token
from fidelia.marketing import services
from fidelia.marketing.enums import RecipientGroup, RecipientStatus, ResponseKind
from fidelia.marketing.models import Campaign, CampaignRecipient, CampaignResponse
from fidelia.marketing.selectors import campaign_results, campaigns_comparison
from fidelia.marketing.tasks import attribution_catch_up_task, attribution_task
from fidelia.marketing.tests.factories import campaign, segment
from fidelia.parties.models import Party
from fidelia.parties.tests import factories
from fidelia.sales.models import Product, ProductFamily, Transaction
from fidelia.sales.services import transaction_record

pytestmark = pytest.mark.django_db
WINDOW = {"send_from": dt.time(0, 0), "send_until": dt.time(23, 59)}


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a step and what it does after commit (Celery jobs, sales signals)."""
    def call(step, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(**kwargs)
    return call


@pytest.fixture
def product(db) -> Product:
    family = ProductFamily.objects.create(name="Épargne")
    return Product.objects.create(code="LIVA", name="Livret A", family=family, kind="tactical",
                                  price=Decimal("10.00"), margin_rate=Decimal("0.3"))


def _launch(personas, run, people, name="Offre printemps", share="0.25", **values) -> Campaign:
    seg = segment(actor=personas.marketing, name=name,
                  definition={"any": [{"fact": "parties.stage", "operator": "eq", "value": "customer"}]})
    c = campaign(actor=personas.marketing, seg=seg, name=name, control_share=Decimal(share), **WINDOW, **values)
    services.campaign_plan(campaign=c, actor=personas.marketing)
    run(services.campaign_launch, campaign=c, actor=personas.marketing)
    c.refresh_from_db()
    return c


def _launched_days_ago(c: Campaign, days: int) -> Campaign:
    Campaign.objects.filter(pk=c.pk).update(launched_at=timezone.now() - dt.timedelta(days=days))
    c.refresh_from_db()
    return c


@pytest.fixture
def sent(personas, mail_server, run):
    people = [factories.person(owner=personas.alice, stage="customer") for _ in range(8)]
    c = _launch(personas, run, people)
    test = list(CampaignRecipient.objects.filter(campaign=c, status=RecipientStatus.SENT).select_related("party"))
    control = list(CampaignRecipient.objects.filter(campaign=c, status=RecipientStatus.HELD_OUT)
                   .select_related("party"))
    assert len(test) == 6 and len(control) == 2 and len(mail_server.messages) == 6
    return {"c": c, "test": test, "control": control}


def _buy(run, personas, product, party, day, amount="100") -> Transaction:
    return run(transaction_record, party=party, actor=personas.admin, product=product, date=day,
               amount=Decimal(amount), channel="web")


def _orders(c: Campaign | None = None):
    rows = CampaignResponse.objects.filter(kind=ResponseKind.ORDER)
    return rows.filter(recipient__campaign=c) if c else rows


# --- orders ---

def test_purchase_is_attributed_when_recorded_and_only_once(sent, personas, product, run) -> None:
    buyer = sent["test"][0]
    tx = _buy(run, personas, product, buyer.party, timezone.localdate())
    order = _orders(sent["c"]).get()
    assert (order.recipient_id, order.key, order.amount) == (buyer.pk, f"tx:{tx.pk}", Decimal("100.00"))
    # the signal again, the campaign's own attribution and the catch-up: nothing doubles
    assert services.orders_attribute(transactions=Transaction.objects.filter(pk=tx.pk)) == 0
    assert services.campaign_attribute(campaign=sent["c"]) == 0
    assert attribution_catch_up_task() == {"campaigns": 1, "orders": 0, "opportunities": 0}
    r = campaign_results(campaign=sent["c"])
    assert (r.orders, r.revenue, r.responders) == (1, Decimal("100.00"), 1)
    # a refund is not an order
    _buy(run, personas, product, buyer.party, timezone.localdate(), amount="-100")
    assert _orders().count() == 1


def test_window_limits(sent, personas, product, run) -> None:
    c = _launched_days_ago(sent["c"], 40)   # window: launch day .. launch day + 30
    launch = timezone.localdate(c.launched_at)
    party = sent["test"][0].party
    for offset in (-1, 0, 30, 31):
        _buy(run, personas, product, party, launch + dt.timedelta(days=offset), amount=str(100 + offset))
    assert sorted(_orders(c).values_list("amount", flat=True)) == [Decimal("100.00"), Decimal("130.00")]


def test_control_group_purchases_count_for_the_uplift(sent, personas, product, run) -> None:
    held_out = sent["control"][0]
    _buy(run, personas, product, held_out.party, timezone.localdate(), amount="80")
    _buy(run, personas, product, sent["test"][0].party, timezone.localdate(), amount="200")
    assert _orders(sent["c"]).filter(recipient=held_out).count() == 1
    r = campaign_results(campaign=sent["c"])
    assert r.orders == 1 and r.revenue == Decimal("200.00")   # the KPIs count the test group
    assert r.revenue_uplift.control_rate == pytest.approx(40.0)      # 80 over 2 held out
    assert r.revenue_uplift.test_rate == pytest.approx(200 / 6)
    assert r.response_uplift.control_rate == pytest.approx(0.5)


def test_catch_up_attributes_what_the_signal_missed(sent, personas, product, run, settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # recorded without running the after-commit signal (a worker died, a SQL load…)
    missed = transaction_record(party=sent["test"][1].party, actor=personas.admin, product=product,
                                date=timezone.localdate(), amount=Decimal("50"), channel="web")
    assert not _orders().exists()
    # a campaign whose window closed days ago is not reopened by the catch-up
    old_people = [factories.person(owner=personas.alice, stage="prospect")]
    Party.objects.filter(pk=old_people[0].pk).update(stage="customer")
    old = _launch(personas, run, old_people, name="Ancienne", share="0")
    old = _launched_days_ago(old, 40)
    Campaign.objects.filter(pk=old.pk).update(attribution_days=10)
    transaction_record(party=old_people[0], actor=personas.admin, product=product,
                       date=timezone.localdate() - dt.timedelta(days=35), amount=Decimal("70"), channel="web")
    from fidelia.sales.tests.factories import opportunity

    deal = opportunity(party=sent["control"][0].party, actor=personas.alice)   # its signal lost too
    result = attribution_catch_up_task.delay().get()
    assert result["orders"] == 1 and old.pk not in services._attribution_open(timezone.localdate())
    assert result["opportunities"] == 1
    assert CampaignResponse.objects.get(kind=ResponseKind.OPPORTUNITY).key == f"opp:{deal.pk}"
    assert _orders().get().key == f"tx:{missed.pk}"
    assert attribution_catch_up_task()["orders"] == 0
    # the window just closed (yesterday) is still caught up
    assert sent["c"].pk in services._attribution_open(timezone.localdate() + dt.timedelta(days=31))
    assert sent["c"].pk not in services._attribution_open(timezone.localdate() + dt.timedelta(days=32))


def test_last_touch_wins_and_campaigns_never_share_an_order(personas, mail_server, product, run) -> None:
    people = [factories.person(owner=personas.alice, stage="customer") for _ in range(3)]
    first = _launched_days_ago(_launch(personas, run, people, name="Première", share="0"), 5)
    second = _launch(personas, run, people, name="Seconde", share="0")
    party = people[0]
    before = _buy(run, personas, product, party, timezone.localdate() - dt.timedelta(days=3), amount="30")
    after = _buy(run, personas, product, party, timezone.localdate(), amount="60")
    assert _orders(first).get().key == f"tx:{before.pk}"     # only the first had reached them then
    assert _orders(second).get().key == f"tx:{after.pk}"     # both had: the last launched wins
    assert services.campaign_attribute(campaign=first) == 0  # the per-campaign run follows the same rule
    results = campaigns_comparison(user=personas.marketing)
    assert sum(r.revenue for r in results) == Decimal("90.00")


def test_attribution_is_set_based(personas, mail_server, product, run) -> None:
    """An import announcing many purchases costs the same few queries as one, whatever the number of
    campaigns: campaigns are found through the buyers' recipient rows, not looped over."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fidelia.core.signals import send_after_commit
    from fidelia.sales.signals import purchases_recorded

    people = [factories.person(owner=personas.alice, stage="customer") for _ in range(6)]
    for name in ("Une", "Deux", "Trois"):
        _launch(personas, run, people, name=name, share="0.5")
    txs = [Transaction.objects.create(party=p, product=product, date=timezone.localdate(), amount=Decimal("10"),
                                      margin=Decimal("3"), channel="web") for p in people]
    with CaptureQueriesContext(connection) as one:
        services.orders_attribute(transactions=Transaction.objects.filter(pk=txs[0].pk))
    with CaptureQueriesContext(connection) as many:
        attribution_task("orders", [t.pk for t in txs])   # what the signal queues
    assert len(many.captured_queries) == len(one.captured_queries) <= 6
    assert _orders().count() == 6
    CampaignResponse.objects.all().delete()
    run(send_after_commit, signal=purchases_recorded, party_ids=[p.pk for p in people],
        transaction_ids=[t.pk for t in txs])
    assert _orders().count() == 6
    # each to the last campaign launched (the three share the day; the latest launch wins)
    last = Campaign.objects.order_by("-launched_at", "-pk").first()
    assert set(_orders().values_list("recipient__campaign", flat=True)) == {last.pk}


# --- opportunities ---

def test_opportunity_opened_in_the_window_is_a_response(sent, personas, run, client) -> None:
    from fidelia.sales.tests.factories import opportunity

    recipient = sent["test"][2]
    deal = run(opportunity, party=recipient.party, actor=personas.alice, amount="5000")
    row = CampaignResponse.objects.get(kind=ResponseKind.OPPORTUNITY)
    assert (row.recipient_id, row.key, row.amount) == (recipient.pk, f"opp:{deal.pk}", Decimal(0))
    assert services.opportunities_attribute(opportunities=type(deal).objects.all()) == 0
    r = campaign_results(campaign=sent["c"])
    assert (r.opportunities, r.responders, r.orders, r.revenue) == (1, 1, 0, Decimal(0))
    client.force_login(personas.marketing)
    page = client.get(reverse("marketing:campaign", args=[sent["c"].pk])).content.decode()
    assert 'data-testid="opportunities">1<' in page
    compare = client.get(reverse("marketing:compare"))
    assert compare.status_code == 200 and "Opportunities" in compare.content.decode()
    api = client.get(f"/api/marketing/campaigns/{sent['c'].pk}/results",
                     HTTP_AUTHORIZATION=f"Bearer {make_token(personas.marketing)}").json()
    assert (api["opportunities"], api["replies"], api["forms"], api["orders"]) == (1, 0, 0, 0)


# --- replies ---

def _reply(to_message, *, sender: str, message_id: str, body: str = "Oui, rappelez-moi demain.") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, "service@fidelia.example"
    msg["Subject"] = "Re: " + str(to_message["Subject"])
    msg["Message-ID"] = message_id
    msg["In-Reply-To"] = to_message["Message-ID"]
    msg["References"] = to_message["Message-ID"]
    msg.set_content(body)
    return msg.as_bytes()


def test_reply_to_a_campaign_email_is_recorded_once(sent, mail_server, personas) -> None:
    from fidelia.service.enums import CaseKind
    from fidelia.service.inbound import inbound_email_process
    from fidelia.service.models import Case

    first = mail_server.messages[0]
    sent_msg = first.message
    assert str(sent_msg["Message-ID"]).strip().startswith("<mk.") and sent_msg["Reply-To"] == "service@fidelia.example"
    recipient = CampaignRecipient.objects.get(campaign=sent["c"], address=first.rcpt_tos[0])
    raw = _reply(sent_msg, sender=recipient.address, message_id="<r1@client.example>")
    outcome = inbound_email_process(raw)
    row = CampaignResponse.objects.get(kind=ResponseKind.REPLY)
    assert row.recipient_id == recipient.pk
    assert Case.objects.get(pk=outcome.case_id).kind == CaseKind.REQUEST   # someone answers the person
    inbound_email_process(raw)                                            # delivered twice
    assert CampaignResponse.objects.filter(kind=ResponseKind.REPLY).count() == 1
    assert campaign_results(campaign=sent["c"]).replies == 1
    # a forged Message-ID (another recipient's id, a made-up signature) records nothing
    other = sent["test"][-1]
    forged = EmailMessage()
    forged["From"], forged["To"], forged["Subject"] = recipient.address, "service@fidelia.example", "Re: offre"
    forged["Message-ID"], forged["In-Reply-To"] = "<r2@client.example>", f"<mk.{other.pk}.AAAAAAAAAAAAAAAAAAAAAA@x>"
    forged.set_content("hello")
    inbound_email_process(forged.as_bytes())
    assert CampaignResponse.objects.filter(kind=ResponseKind.REPLY).count() == 1


# --- web forms ---

def _click_to_form(client, recipient) -> str:
    token = services.click_token(recipient.pk, reverse("sales:lead_web_form") + "?from=spring")
    response = client.get(reverse("marketing:click", args=[token]))
    assert response.status_code == 302
    return response["Location"]


def _post_form(client, url, email) -> int:
    data = {"last_name": "Web", "email": email, "website": "", "started_at": str(time.time() - 10)}
    return client.post(url, data).status_code


def test_web_form_reached_from_a_tracked_link(sent, settings) -> None:
    settings.FIDELIA_WEB_LEAD_MIN_SECONDS = 0
    recipient = sent["test"][3]
    browser = Client()
    target = _click_to_form(browser, recipient)
    assert "from=spring" in target and "c=" in target and browser.cookies["fidelia_c"].value
    assert _post_form(browser, target, "someone.else@example.org") == 200  # another address: the token decides
    row = CampaignResponse.objects.get(kind=ResponseKind.FORM)
    assert row.recipient_id == recipient.pk and row.key.startswith("form:")
    assert campaign_results(campaign=sent["c"]).forms == 1
    # the cookie alone (the form opened again later the same day) also names the recipient
    assert _post_form(browser, reverse("sales:lead_web_form"), "again@example.org") == 200
    assert CampaignResponse.objects.filter(kind=ResponseKind.FORM, recipient=recipient).count() == 2


def test_web_form_with_a_tampered_token_still_works(sent, settings) -> None:
    settings.FIDELIA_WEB_LEAD_MIN_SECONDS = 0
    target = _click_to_form(Client(), sent["test"][3])
    tampered = target[:-3] + ("xyz" if not target.endswith("xyz") else "abc")
    assert _post_form(Client(), tampered, "nobody@example.org") == 200
    assert _post_form(Client(), reverse("sales:lead_web_form") + "?c=garbage", "nobody2@example.org") == 200
    assert not CampaignResponse.objects.filter(kind=ResponseKind.FORM).exists()
    # without a token, the address of a person the campaign reached is enough
    recipient = sent["control"][0]
    assert _post_form(Client(), reverse("sales:lead_web_form"), recipient.party.email.upper()) == 200
    assert CampaignResponse.objects.get(kind=ResponseKind.FORM).recipient_id == recipient.pk


def test_web_form_token_outside_the_window_is_ignored(sent, settings) -> None:
    settings.FIDELIA_WEB_LEAD_MIN_SECONDS = 0
    target = _click_to_form(Client(), sent["test"][0])
    _launched_days_ago(sent["c"], 31)
    assert _post_form(Client(), target, "late@example.org") == 200
    assert not CampaignResponse.objects.filter(kind=ResponseKind.FORM).exists()


# --- language ---

def test_each_recipient_gets_their_language(personas, mail_server, run, client) -> None:
    french, english = (factories.person(owner=personas.alice, stage="customer") for _ in range(2))
    Party.objects.filter(pk=english.pk).update(language="en")
    c = _launch(personas, run, [french, english], share="0", subject_fr="Bonjour {{ first_name }}",
                subject_en="Hello {{ first_name }}", body_en="Hello {{ first_name }}, see our offer.")
    languages = dict(CampaignRecipient.objects.filter(campaign=c).values_list("party_id", "language"))
    assert languages == {french.pk: "fr", english.pk: "en"}
    received = {m.rcpt_tos[0]: m.message for m in mail_server.messages}
    assert str(received[english.email]["Subject"]) == f"Hello {english.first_name}"
    english_text = received[english.email].get_body(("plain",)).get_content()
    assert "see our offer" in english_text and "To stop receiving these messages" in english_text
    assert received[english.email]["Content-Language"] == "en"
    assert str(received[french.email]["Subject"]) == f"Bonjour {french.first_name}"
    french_text = received[french.email].get_body(("plain",)).get_content()
    assert "découvrez notre offre" in french_text and "Pour ne plus recevoir ces messages" in french_text
    # the unsubscribe page speaks the recipient's language
    for party, word in ((french, "Désinscription"), (english, "Unsubscribe")):
        r = CampaignRecipient.objects.get(campaign=c, party=party)
        page = Client().get(reverse("marketing:unsubscribe", args=[services.unsubscribe_token(r.pk)]))
        assert page.status_code == 200 and word in page.content.decode()
        assert page["Content-Language"] == r.language


def test_campaign_without_english_text_writes_french_to_everyone(personas, mail_server, run) -> None:
    english = factories.person(owner=personas.alice, stage="customer")
    Party.objects.filter(pk=english.pk).update(language="en")
    _launch(personas, run, [english], share="0")
    msg = mail_server.messages[0].message
    assert str(msg["Subject"]).startswith("Bonjour") and msg["Content-Language"] == "fr"


def test_held_out_recipients_keep_their_group(sent) -> None:
    assert {r.group for r in sent["control"]} == {RecipientGroup.CONTROL}
