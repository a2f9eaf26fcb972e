"""A customer answers a CSAT survey in a real browser: the e-mail received by the loopback SMTP server
carries the link; the page works on a phone-sized screen; a second submission changes nothing.

Needs Debian's Chromium (/usr/bin/chromium). Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import pytest

from fidelia.core.testing import make_personas
from fidelia.parties.tests import factories
from fidelia.surveys import services
from fidelia.surveys.models import SurveyResponse
from tests.browser.conftest import SHOTS

pytestmark = pytest.mark.browser


def test_csat_link_answered(page, live_server, mail_server, settings) -> None:  # noqa: ANN001
    settings.FIDELIA_SURVEYS_BASE_URL = live_server.url
    personas = make_personas()
    services.survey_create(actor=personas.service, name="CSAT", kind="csat", status="active",
                           title="Votre demande a été traitée : qu'en avez-vous pensé ?")
    party = factories.person(owner=personas.alice)
    assert services.survey_send_csat(party=party, reference="case:42", actor=personas.service) is not None

    body = mail_server.messages[0].message.get_body(preferencelist=("plain",)).get_content()
    link = next(line for line in body.splitlines() if "/surveys/r/" in line).strip()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "fr" or "qu'en avez-vous pensé" in page.content()
    page.locator(".survey-scale label", has_text="4").click()
    page.fill("textarea", "<b>Rapide</b> et efficace")
    page.screenshot(path=SHOTS / "surveys-01-answer-mobile.png", full_page=True)
    page.locator(".survey-submit").click()
    page.wait_for_selector("[data-testid=survey-thanks]")
    page.screenshot(path=SHOTS / "surveys-02-thanks.png", full_page=True)

    response = SurveyResponse.objects.get()
    assert (response.csat, response.reference, response.party_id) == (4, "case:42", party.pk)
    assert response.answers.get(text__contains="Rapide").text == "<b>Rapide</b> et efficace"

    page.go_back()
    page.goto(link)
    assert page.locator("[data-testid=survey-already]").is_visible()
    assert SurveyResponse.objects.count() == 1
