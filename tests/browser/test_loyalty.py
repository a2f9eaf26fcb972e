"""Loyalty in a real browser: a sales rep enrols a customer in a second programme from the file's
panel (htmx), then redeems a reward of that programme; the balances of both programmes show."""
from __future__ import annotations

import pytest

from fidelia.core.testing import PASSWORD, make_personas
from fidelia.loyalty import services
from fidelia.loyalty.models import Membership, Redemption
from fidelia.loyalty.tests import factories as f
from fidelia.parties.tests import factories


@pytest.mark.browser
def test_panel_enrols_in_a_second_programme_and_redeems_there(page, live_server) -> None:  # noqa: ANN001
    personas = make_personas()
    prog = f.programme(actor=personas.admin)
    party = factories.person(owner=personas.alice)
    services.points_adjust(membership=f.member(prog, party), points=1200, reason="Reprise", actor=None)
    partners = services.programme_create(actor=None, name="Club Partenaires")
    services.reward_create(programme=partners, name="Café offert", cost=1, actor=None)
    url = live_server.url
    page.set_default_timeout(60_000)
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state("networkidle")
    page.goto(f"{url}/customers/{party.pk}/#followup")
    page.click("#tab-followup")
    page.locator("[data-testid=loyalty-slot]").scroll_into_view_if_needed()
    page.wait_for_selector("[data-testid=loyalty-panel]")
    page.locator("[data-testid=loyalty-enrol] button").click()
    page.wait_for_selector("text=Enrolled in Club Partenaires")
    second = Membership.objects.get(party=party, programme=partners)
    services.points_adjust(membership=second, points=5, reason="Bienvenue", actor=None)
    page.reload()
    page.click("#tab-followup")
    page.locator("[data-testid=loyalty-slot]").scroll_into_view_if_needed()
    block = page.locator(f"[data-testid=loyalty-membership][data-programme='{partners.pk}']")
    block.wait_for()
    assert "5" in block.locator("[data-testid=loyalty-balance]").inner_text()
    block.locator("select[name=reward]").select_option(label="Café offert")
    block.locator("button[type=submit]").click()
    page.wait_for_selector("text=Reward redeemed.")
    assert Redemption.objects.get().membership == second
    assert services.balance_of(second.pk) == 4
    assert page.locator("[data-testid=loyalty-membership]").count() == 2
