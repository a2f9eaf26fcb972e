"""A rep's journey in a real browser: sign in, find a customer despite a typo, log a call on the
360 page without a reload, and switch the interface to French and back.

Needs Debian's Chromium (/usr/bin/chromium) and the front-end packages (`bash scripts/vendor.sh`).
Screenshots go to artifacts/screenshots/ for a human to look at.
"""
from __future__ import annotations

import pytest

from fidelia.core.testing import PASSWORD, make_personas
from fidelia.parties.services import AddressInput
from fidelia.parties.tests import factories as f
from tests.browser.conftest import SHOTS

pytestmark = pytest.mark.browser


def test_rep_journey(page, live_server) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    personas = make_personas()
    customer = f.person(owner=personas.alice, first_name="Ermengarde", last_name="Le Quilliec", csp="3",
                        address=AddressInput(line1="1 rue Mercière", postcode="69002", city="Lyon"),
                        tags=["VIP"])
    for _ in range(12):
        f.person(owner=personas.alice)
    base = live_server.url

    # Sign in.
    page.goto(f"{base}/accounts/login/")
    page.screenshot(path=SHOTS / "01-login.png")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/customers/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=SHOTS / "02-customers.png")

    # Type the name with a typo; pick the suggestion with the keyboard.
    search = page.locator("#global-search")
    search.press_sequentially("ermengard lequiliec", delay=40)
    suggestion = page.locator("#search-results [role=option]").first
    suggestion.wait_for()
    assert "LE QUILLIEC" in suggestion.inner_text()
    page.screenshot(path=SHOTS / "03-search-typo.png")
    search.press("ArrowDown")
    expect(suggestion).to_have_attribute("aria-selected", "true")
    search.press("Enter")
    page.wait_for_url(f"{base}/customers/{customer.pk}/")
    page.screenshot(path=SHOTS / "04-file-infos.png", full_page=True)

    # Log a call from the Actions tab: the timeline refreshes in place, the page is not reloaded.
    page.click("#tab-actions")
    expect(page.locator("#actions")).to_be_visible()
    expect(page.locator("#infos")).to_be_hidden()
    page.evaluate("window.__sameDocument = true")
    form = page.locator("[data-testid=interaction-form]")
    form.locator("select[name=channel]").select_option("phone")
    form.locator("input[name=subject]").fill("Follow-up call about the savings plan")
    form.locator("select[name=outcome]").select_option("interested")
    form.locator("textarea[name=report]").fill("Wants to open a savings account for her daughter.")
    form.locator("button[type=submit]").click()
    timeline = page.locator("[data-testid=timeline]")
    timeline.get_by_text("Follow-up call about the savings plan").wait_for()
    expect(page.locator("#actions-count")).to_have_text("1")
    assert page.evaluate("window.__sameDocument") is True
    assert customer.interactions.filter(subject="Follow-up call about the savings plan").exists()
    page.screenshot(path=SHOTS / "05-file-actions.png", full_page=True)

    page.click("#tab-contact")
    page.screenshot(path=SHOTS / "06-file-contact.png", full_page=True)

    # Switch to French and back: the page language (and, once translated, the labels) follow.
    nav_label = page.locator(".nav__link").first
    english = nav_label.inner_text()
    page.click("[data-testid=lang-fr]")
    page.wait_for_function("document.documentElement.lang === 'fr'")
    assert page.url.endswith("#contact"), "the language switch keeps the open tab"
    assert page.locator("#contact").is_visible()
    page.screenshot(path=SHOTS / "07-file-french.png", full_page=True)
    french = nav_label.inner_text()
    if _french_catalogue_has("Customers"):
        assert french != english
    page.click("[data-testid=lang-en]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert nav_label.inner_text() == english


def _french_catalogue_has(message: str) -> bool:
    """Whether the compiled French catalogue translates `message` (translations come separately)."""
    from django.utils import translation

    with translation.override("fr"):
        return translation.gettext(message) != message
