"""A sales rep in a real browser: drag an opportunity across the pipeline board (and see a stale drag
refused and the card go back), then build a quote from the opportunity and record its acceptance.

Needs Debian's Chromium (/usr/bin/chromium). Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from fidelia.core.testing import PASSWORD, make_personas
from fidelia.parties.tests.factories import person
from fidelia.sales import services
from fidelia.sales.models import Contract, Opportunity, Quote
from fidelia.sales.tests.factories import ensure_default_stages, opportunity, product, stage
from tests.browser.conftest import SHOTS

pytestmark = pytest.mark.browser


def _login(page, base: str, username: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/customers/")


def test_drag_an_opportunity_then_quote_and_accept(page, live_server) -> None:  # noqa: ANN001
    ensure_default_stages()
    personas = make_personas()
    party = person(owner=personas.alice, email="client@example.fr", stage="prospect")
    livret = product(actor=personas.admin, code="ASS-HAB", price="250")
    opp = opportunity(party=party, actor=personas.alice, amount="3000", name="Assurance habitation",
                      products=[(livret, 1)])
    base = live_server.url
    page.set_default_timeout(60_000)  # the board is quick; the shared test machine sometimes is not
    _login(page, base, "alice")

    page.goto(f"{base}/sales/pipeline/")
    card = f"[data-testid=card-{opp.pk}]"
    page.drag_and_drop(card, "[data-testid=stage-proposal] [data-dropzone]")
    expect(page.locator("[data-kanban-status]")).to_contain_text("→")
    assert page.locator(f"[data-testid=stage-proposal] {card}").count() == 1
    assert Opportunity.objects.get(pk=opp.pk).stage.code == "proposal"
    assert page.locator("[data-testid=stage-proposal] [data-total=count]").inner_text() == "1"
    page.screenshot(path=SHOTS / "sales-01-board.png", full_page=True)

    # Someone else moves it meanwhile: the next drag is refused and the card goes back.
    fresh = Opportunity.objects.get(pk=opp.pk)
    services.opportunity_move_stage(opportunity=fresh, stage=stage("negotiation"), actor=personas.manager,
                                    version=fresh.version)
    page.drag_and_drop(card, "[data-testid=stage-won] [data-dropzone]")
    expect(page.locator("[data-kanban-status]")).to_have_class(re.compile("is-error"))
    assert "someone else" in page.locator("[data-kanban-status]").inner_text()
    assert page.locator(f"[data-testid=stage-proposal] {card}").count() == 1
    assert Opportunity.objects.get(pk=opp.pk).stage.code == "negotiation"
    page.screenshot(path=SHOTS / "sales-02-stale.png", full_page=True)

    # A quote from the opportunity: its product fills the first line; add a second line.
    page.goto(f"{base}/sales/opportunities/{opp.pk}/")
    page.get_by_role("link", name="New quote").click()
    page.fill("#id_lines-0-quantity", "2")
    page.fill("#id_lines-0-discount_rate", "10")
    page.get_by_role("button", name="Add a line").click()
    page.select_option("#id_lines-1-product", str(livret.pk))
    page.fill("#id_lines-1-quantity", "1")
    page.fill("#id_lines-1-vat_rate", "10")
    page.get_by_role("button", name="Create the quote").click()
    page.wait_for_selector("[data-testid=quote-total]")
    quote = Quote.objects.get()
    assert quote.total_excl_tax == Decimal("700.00") and quote.total_incl_tax == Decimal("815.00")
    page.screenshot(path=SHOTS / "sales-03-quote.png", full_page=True)
    page.get_by_role("button", name="Accepted by the customer").click()
    page.wait_for_selector(".alert--success")
    assert "Accepted" in page.locator("[data-testid=quote-status]").inner_text()
    assert Contract.objects.filter(party=party, product=livret).count() == 2
    assert Opportunity.objects.get(pk=opp.pk).stage.code == "won"
    page.screenshot(path=SHOTS / "sales-04-accepted.png", full_page=True)
