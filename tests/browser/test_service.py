"""An agent in a real browser: take a complaint from the queue, get a knowledge article suggested while
typing the reply, use it, send the reply (it reaches the customer's mail server), resolve the case;
the customer answers the CSAT survey from the link they received.

Needs Debian's Chromium (/usr/bin/chromium). Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fidelia.core.testing import PASSWORD, make_personas
from fidelia.parties.tests.factories import person
from fidelia.service.enums import CaseStatus
from fidelia.service.models import Case, SlaPolicy
from fidelia.service.services import case_create
from tests.browser.conftest import SHOTS

pytestmark = pytest.mark.browser


def test_agent_takes_a_case_uses_an_article_and_resolves_it(page, live_server, mail_server, settings) -> None:  # noqa: ANN001
    from fidelia.knowledge.services import article_create
    from fidelia.surveys.services import survey_create

    settings.FIDELIA_SURVEYS_BASE_URL = live_server.url
    personas = make_personas()
    customer = person(owner=personas.alice, first_name="Claire", last_name="Dupont", email="claire@example.fr")
    SlaPolicy.objects.create(name="Normal", priority="normal", first_response_hours=8, resolution_hours=40)
    case = case_create(actor=personas.service, party=customer, subject="Prélèvement effectué deux fois",
                       kind="complaint", category="core_failure")
    article_create(actor=personas.service, title="Prélèvement en double : remboursement",
                   body="Un prélèvement en double est remboursé sous 48 heures après vérification.",
                   status="published")
    survey_create(actor=personas.admin, name="Satisfaction après demande", kind="csat", status="active")
    base = live_server.url
    page.set_default_timeout(60_000)  # the shared test machine is loaded

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "service")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{base}/service/?view=unassigned")
    queue = page.locator("[data-testid=case-queue]")
    assert case.reference in queue.inner_text()
    page.screenshot(path=SHOTS / "service-01-queue.png", full_page=True)
    page.click(f"[data-testid=take-{case.pk}]")
    page.wait_for_url(f"{base}/service/{case.pk}/")
    assert Case.objects.get(pk=case.pk).owner_id == personas.service.pk

    page.fill("#reply-body", "Bonjour Madame Dupont, concernant le prélèvement en double,")
    page.press("#reply-body", "Space")
    suggestion = page.locator("[data-testid=kb-suggestions] .kb-suggestion").first
    suggestion.wait_for()
    assert "Prélèvement en double" in suggestion.inner_text()
    suggestion.get_by_role("button").click()
    expect(page.locator("#reply-body")).to_have_value(re.compile("48 heures"))
    page.screenshot(path=SHOTS / "service-02-workspace.png", full_page=True)
    page.select_option("#id_then", "resolved")
    page.click("[data-testid=send-reply]")
    page.wait_for_url(f"{base}/service/{case.pk}/")
    assert "Resolved" in page.locator("[data-testid=case-status]").inner_text()
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED

    reply = next(m for m in mail_server.messages if f"[{case.reference}]" in (m.message["Subject"] or ""))
    assert "48 heures" in reply.message.get_content()
    invitation = next(m for m in mail_server.messages if "/surveys/r/" in m.message.get_body().get_content())
    link = re.search(r"https?://\S+/surveys/r/[A-Za-z0-9_-]+/", invitation.message.get_body().get_content()).group(0)
    page.goto(link)
    page.locator("input[type=radio][value='5']").first.check()
    page.click("button[type=submit]")
    page.wait_for_load_state()
    from fidelia.surveys.selectors import csat_by_reference_prefix

    assert [score for _at, score, ref in csat_by_reference_prefix("case:") if ref == f"case:{case.pk}"] == [5]
