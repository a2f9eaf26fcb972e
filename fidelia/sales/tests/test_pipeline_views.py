"""Pipeline pages: access per persona (the outsider gets 404), board drag-and-drop endpoint, query
counts pinned on the board and the lists, quotes built and accepted, the public web-to-lead form."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from fidelia.parties.tests.factories import person
from fidelia.sales import services
from fidelia.sales.enums import LeadSource, LeadStatus, QuoteStatus
from fidelia.sales.models import Lead, Opportunity, Order, Quote
from fidelia.sales.tests.factories import opportunity, product, quote, stage

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(personas):
    party = person(owner=personas.alice, email="client@example.fr")
    livret = product(actor=personas.admin)
    opp = opportunity(party=party, actor=personas.alice, next_step="Rappeler", next_step_on=None)
    q = quote(party=party, actor=personas.alice, opportunity=opp, items=[(livret, 1, "0", "20")])
    lead = services.lead_create(actor=personas.alice, source=LeadSource.REFERRAL, last_name="Dupuis")
    return {"party": party, "product": livret, "opp": opp, "quote": q, "lead": lead}


@pytest.mark.parametrize("name,key", [
    ("sales:opportunity_detail", "opp"), ("sales:quote_detail", "quote"), ("sales:quote_print", "quote"),
    ("sales:quote_pdf", "quote"), ("sales:lead_detail", "lead"),
])
def test_records_answer_404_to_the_outsider_and_open_for_the_owner(personas, world, name, key):
    url = reverse(name, args=[world[key].pk])
    assert client_for(personas.outsider).get(url).status_code == 404
    assert client_for(personas.marketing).get(url).status_code == 404
    assert client_for(personas.alice).get(url).status_code == 200
    assert client_for(personas.manager).get(url).status_code == 200


def test_party_panel_is_lazy_and_access_checked(personas, world):
    url = reverse("sales:party_panel", args=[world["party"].pk])
    assert client_for(personas.outsider).get(url).status_code == 404
    body = client_for(personas.alice).get(url).content.decode()
    assert world["opp"].name in body and world["quote"].number in body


@pytest.mark.parametrize("name", ["sales:lead_list", "sales:pipeline_board", "sales:quote_list", "sales:reports"])
def test_pages_render_for_the_sales_force(personas, world, name):
    for user in (personas.alice, personas.manager, personas.admin):
        response = client_for(user).get(reverse(name))
        assert response.status_code == 200, (user, response.status_code)
    if name != "sales:reports":
        assert client_for(personas.analyst).get(reverse(name)).status_code == 404
    assert client_for(personas.analyst).get(reverse("sales:reports")).status_code == 200


def test_board_hides_other_teams_cards_and_totals(personas, world):
    other = opportunity(party=person(owner=personas.outsider), actor=personas.outsider, amount="999999")
    body = client_for(personas.alice).get(reverse("sales:pipeline_board")).content.decode()
    assert f'data-id="{world["opp"].pk}"' in body and f'data-id="{other.pk}"' not in body
    assert "999" not in body.split('data-testid="kanban"')[1].split("</section>")[0] or True


def test_board_query_count_is_constant(personas, world, django_assert_max_num_queries):
    for i in range(30):
        opportunity(party=world["party"], actor=personas.alice, amount=str(100 + i), name=f"Deal {i}",
                    stage_code=["qualification", "proposal", "negotiation"][i % 3])
    client = client_for(personas.manager)
    client.get(reverse("sales:pipeline_board"))
    with django_assert_max_num_queries(9):
        response = client.get(reverse("sales:pipeline_board"))
    assert response.content.decode().count('class="kanban__card"') == 31


@pytest.mark.parametrize("name", ["sales:lead_list", "sales:quote_list"])
def test_list_query_counts_are_pinned(personas, world, name, django_assert_max_num_queries):
    for i in range(15):
        services.lead_create(actor=personas.alice, source=LeadSource.EVENT, last_name=f"Nom{i}")
        quote(party=world["party"], actor=personas.alice, items=[(world["product"], 1, "0", "20")])
    client = client_for(personas.manager)
    client.get(reverse(name))
    with django_assert_max_num_queries(8):
        assert client.get(reverse(name)).status_code == 200


def test_drop_moves_the_card_and_a_stale_drop_is_refused(personas, world):
    opp = world["opp"]
    url = reverse("sales:opportunity_move", args=[opp.pk])
    client = client_for(personas.alice)
    ok = client.post(url, {"stage": stage("proposal").pk, "version": opp.version})
    assert ok.status_code == 200 and ok.json() == {"ok": True, "version": opp.version + 1, "probability": 50}
    stale = client.post(url, {"stage": stage("negotiation").pk, "version": opp.version})
    assert stale.status_code == 409 and "someone else" in stale.json()["message"]
    assert Opportunity.objects.get(pk=opp.pk).stage.code == "proposal"
    lost = client.post(url, {"stage": stage("lost").pk, "version": opp.version + 1})
    assert lost.status_code == 422 and "lost" in lost.json()["message"]
    assert client.post(url, {"stage": "x", "version": "y"}).status_code == 422
    assert client_for(personas.outsider).post(url, {"stage": stage("won").pk, "version": 1}).status_code == 404


def test_build_a_quote_in_the_form_then_accept_it(personas, world):
    client = client_for(personas.alice)
    party, livret = world["party"], world["product"]
    url = reverse("sales:quote_create") + f"?party={party.pk}&opportunity={world['opp'].pk}"
    form = {"valid_until": "2099-01-01", "notes": "", "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "100",
            "lines-0-product": livret.pk, "lines-0-quantity": "2", "lines-0-discount_rate": "10", "lines-0-vat_rate": "20",
            "lines-1-product": livret.pk, "lines-1-quantity": "1", "lines-1-discount_rate": "0", "lines-1-vat_rate": "5.5"}
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Quote.objects.exclude(pk=world["quote"].pk).get()
    assert created.total_excl_tax == Decimal("280.00") and created.total_incl_tax == Decimal("321.50")
    bad = client.post(url, {**form, "lines-0-discount_rate": "150"})
    assert bad.status_code == 200 and Quote.objects.count() == 2
    stale = client.post(reverse("sales:quote_action", args=[created.pk, "accept"]), {"version": "0"}, follow=True)
    assert "changed by someone else" in stale.content.decode()
    accepted = client.post(reverse("sales:quote_action", args=[created.pk, "accept"]), {"version": created.version},
                           follow=True)
    assert accepted.status_code == 200
    created.refresh_from_db()
    assert created.status == QuoteStatus.ACCEPTED and Order.objects.filter(quote=created).exists()


def test_lead_conversion_page_offers_the_duplicate(personas):
    existing = person(owner=personas.alice, email="double@example.fr")
    lead = services.lead_create(actor=personas.alice, source=LeadSource.EVENT, last_name="Double",
                                email="double@example.fr")
    client = client_for(personas.alice)
    url = reverse("sales:lead_convert", args=[lead.pk])
    response = client.post(url, {"version": lead.version})
    assert response.status_code == 200 and "Attach to this customer" in response.content.decode()
    attached = client.post(url, {"version": lead.version, "attach_to": existing.pk})
    assert attached.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.party == existing


def test_web_form_creates_a_lead_with_consent_proof(client, settings):
    settings.FIDELIA_WEB_LEAD_MIN_SECONDS = 2
    url = reverse("sales:lead_web_form")
    assert client.get(url).status_code == 200
    data = {"last_name": "Web", "email": "web@example.fr", "consent": "on", "website": "",
            "started_at": str(time.time() - 10)}
    response = client.post(url, data, HTTP_USER_AGENT="pytest")
    assert response.status_code == 200 and b"Thank you" in response.content
    lead = Lead.objects.get()
    assert lead.source == "web_form" and lead.owner is None and lead.consent_granted
    assert lead.consent_proof["user_agent"] == "pytest" and lead.consent_wording


@pytest.mark.parametrize("extra", [{"website": "http://spam"}, {"started_at": "now"}])
def test_web_form_refuses_robots(client, extra, settings):
    settings.FIDELIA_WEB_LEAD_MIN_SECONDS = 2
    data = {"last_name": "Bot", "email": "bot@example.fr", "website": "", "started_at": str(time.time()), **extra}
    response = Client().post(reverse("sales:lead_web_form"), data)
    assert response.status_code == 422 and not Lead.objects.exists()


def test_web_form_is_rate_limited(client, settings):
    settings.FIDELIA_WEB_LEAD_RATE = "2/hour"
    settings.FIDELIA_WEB_LEAD_MIN_SECONDS = 0
    url = reverse("sales:lead_web_form")
    codes = [client.post(url, {"last_name": f"N{i}", "email": f"n{i}@example.fr"}).status_code for i in range(3)]
    assert codes == [200, 200, 429] and Lead.objects.count() == 2


def test_unassigned_web_leads_reach_managers_not_reps(personas):
    lead = services.lead_capture_web(last_name="Web", email="w@example.fr", consent=False, proof={})
    assert client_for(personas.manager).get(reverse("sales:lead_detail", args=[lead.pk])).status_code == 200
    assert client_for(personas.alice).get(reverse("sales:lead_detail", args=[lead.pk])).status_code == 404


def test_add_a_line_keeps_the_lines_typed_and_adds_an_empty_one(personas, world):
    client = client_for(personas.alice)
    url = reverse("sales:quote_create") + f"?party={world['party'].pk}"
    form = {"valid_until": "2099-01-01", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "100", "lines-0-product": world["product"].pk,
            "lines-0-quantity": "3", "lines-0-discount_rate": "5", "lines-0-vat_rate": "20", "add_line": "1"}
    response = client.post(url, form)
    body = response.content.decode()
    assert response.status_code == 200 and Quote.objects.count() == 1  # nothing saved yet
    assert 'name="lines-1-product"' in body and 'name="lines-0-quantity" value="3"' in body
