"""A sales rep in a real browser: open "My day", see the actions proposed by the daily job ordered
overdue first, mark one done with an outcome, find it in the customer's timeline; then the rule
editor's live preview counts the customers a condition matches.

Needs Debian's Chromium (/usr/bin/chromium). Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fidelia.actions.enums import ActionStatus
from fidelia.actions.models import Action
from fidelia.actions.services import actions_refresh
from fidelia.actions.tests import factories as f
from fidelia.core.testing import PASSWORD, make_personas
from fidelia.interactions.models import Interaction
from fidelia.parties.tests.factories import person
from tests.browser.conftest import SHOTS

pytestmark = pytest.mark.browser


def login(page, base: str, username: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/customers/")


def builtin_rules() -> None:
    """Browser tests run on a flushed database: the rules the migration seeded may be gone."""
    from fidelia.actions.builtin_rules import BUILTIN_RULES
    from fidelia.actions.models import ActionRule

    for data in BUILTIN_RULES:
        ActionRule.objects.get_or_create(key=data["key"], defaults={**data, "builtin": True})


def test_complete_an_action(page, live_server) -> None:  # noqa: ANN001
    builtin_rules()
    personas = make_personas()
    today = timezone.localdate()
    renewing, parent = person(owner=personas.alice), person(owner=personas.alice)
    f.contract(renewing, renewal=today + dt.timedelta(days=20))
    f.child(parent, today.replace(year=today.year - 10) + dt.timedelta(days=3))
    actions_refresh(as_of=today)
    action = Action.objects.get(party=renewing)
    base = live_server.url

    login(page, base, "alice")
    page.goto(f"{base}/actions/")
    listed = page.locator("[data-testid=action-list]")
    assert "Renouvellement de contrat" in listed.inner_text()
    page.screenshot(path=SHOTS / "actions-01-my-day.png", full_page=True)
    card = page.locator(f"[data-testid=action-{action.pk}]")
    card.locator("summary", has_text="Done").click()
    card.locator("select[name=outcome]").select_option("interested")
    card.locator("textarea[name=note]").fill("Rendez-vous pris pour revoir le contrat.")
    card.get_by_role("button", name="Save as done").click()
    page.wait_for_url(f"{base}/actions/")
    assert "Done: the outcome is in the customer" in page.content()
    assert Action.objects.get(pk=action.pk).status == ActionStatus.DONE
    logged = Interaction.objects.get(party=renewing)
    assert logged.outcome == "interested" and "Rendez-vous" in logged.report

    page.context.clear_cookies()
    login(page, base, "manager")
    page.goto(f"{base}/actions/rules/new")
    page.fill("#id_condition", '{"all": [{"fact": "sales.contract_renewal", "operator": "within_next_days", "value": 60}]}')
    preview = page.locator("[data-testid=preview-count]")
    preview.wait_for()
    assert "1" in preview.inner_text()
    page.screenshot(path=SHOTS / "actions-02-rule-editor.png", full_page=True)
