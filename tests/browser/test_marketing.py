"""A marketer in a real browser builds a segment with a live count, plans and sends an e-mail
campaign to a real SMTP server; the recipient follows the unsubscribe link of the message in the
browser and the withdrawal of consent takes effect (the next campaign excludes them).

Needs Debian's Chromium (/usr/bin/chromium). Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from fidelia.core.mailserver import MailServer
from fidelia.core.testing import PASSWORD, make_personas
from fidelia.marketing.models import Campaign, CampaignRecipient, Segment
from fidelia.marketing.services import campaign_save
from fidelia.parties.models import ConsentRecord
from fidelia.parties.services import consent_record
from fidelia.parties.tests import factories
from tests.browser.conftest import SHOTS

pytestmark = pytest.mark.browser


def test_segment_campaign_and_unsubscribe(page, live_server) -> None:  # noqa: ANN001
    personas = make_personas()
    people = [factories.person(owner=personas.alice, stage="prospect") for _ in range(3)]
    for p in people:
        consent_record(party=p, actor=personas.admin, channel="email", purpose="prospecting", granted=True)
    base = live_server.url
    page.set_default_timeout(90_000)  # the shared test machine is heavily loaded
    page.set_default_navigation_timeout(90_000)

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "marketing")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{base}/marketing/segments/new/")
    page.fill("#id_name", "Prospects e-mail")
    page.fill("#id_definition", json.dumps({"all": [
        {"fact": "parties.stage", "operator": "eq", "value": "prospect"},
        {"fact": "marketing.email_optin", "operator": "is_true"}]}))
    page.locator("[data-testid=segment-total]").wait_for()
    assert "3" in page.locator("[data-testid=segment-total]").inner_text()
    page.screenshot(path=SHOTS / "marketing-01-segment.png", full_page=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{base}/marketing/segments/*/")
    segment = Segment.objects.get(name="Prospects e-mail")

    campaign = campaign_save(actor=personas.marketing, name="Offre de bienvenue", channel="email", segment=segment,
                             subject_fr="Bonjour {{ first_name }}", body_fr="Bonjour {{ first_name }} !",
                             send_from=dt.time(0, 0), send_until=dt.time(23, 59))
    with MailServer() as server, override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                                                   EMAIL_HOST="127.0.0.1", EMAIL_PORT=server.port,
                                                   FIDELIA_MARKETING_PUBLIC_URL=base):
        page.goto(f"{base}/marketing/campaigns/{campaign.pk}/")
        page.get_by_test_id("step-plan").click()
        page.get_by_test_id("step-launch").wait_for()
        page.get_by_test_id("step-launch").click()
        expect(page.get_by_test_id("campaign-status")).to_have_text("Done", timeout=90_000)
        assert len(server.messages) == 3
        page.screenshot(path=SHOTS / "marketing-02-campaign.png", full_page=True)
        message = server.messages[0]
        url = str(message.message["List-Unsubscribe"]).strip().strip("<>")

    page.goto(url)
    page.screenshot(path=SHOTS / "marketing-03-unsubscribe.png", full_page=True)
    page.get_by_test_id("unsubscribe-confirm").click()
    page.get_by_test_id("unsubscribe-done").wait_for()
    recipient = CampaignRecipient.objects.get(campaign=campaign, party__email=message.rcpt_tos[0])
    latest = ConsentRecord.objects.filter(party=recipient.party, channel="email").order_by("-recorded_at", "-id")[0]
    assert latest.granted is False
    assert Campaign.objects.get(pk=campaign.pk).status == "done"
