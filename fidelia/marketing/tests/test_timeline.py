"""Campaign messages in the customer timeline: merged by date at read time (no interaction row per
message), held-out and excluded recipients left out, the same on the 360 page and in the API, and
only for those who may read the customer."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fidelia.interactions.models import Interaction
from fidelia.interactions.services import interaction_log
from fidelia.marketing import services
from fidelia.marketing.enums import RecipientStatus
from fidelia.marketing.models import CampaignRecipient, CampaignResponse
from fidelia.marketing.tests.factories import campaign, segment
from fidelia.parties.models import Party
from fidelia.parties.services import consent_record
from fidelia.parties.tests import factories
from fidelia.parties.timeline import TimelineEntry, party_timeline, party_timeline_page

pytestmark = pytest.mark.django_db
WINDOW = {"send_from": dt.time(0, 0), "send_until": dt.time(23, 59)}


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(step, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(**kwargs)
    return call


def _timeline_titles(html: str) -> list[str]:
    """The timeline's lines in page order: 'campaign:<name>' for campaign entries, else the subject."""
    block = html.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0]
    lines = []
    for item in block.split('<li class="timeline__item')[1:]:
        title = re.search(r"<strong>(.*?)</strong>", item, re.S).group(1).strip()
        lines.append(f"campaign:{title}" if 'data-testid="timeline-campaign"' in item else title)
    return lines


@pytest.fixture
def sent(personas, mail_server, run):
    """A campaign really sent: four opted-in customers of Alice, one of them held out as control,
    and one without consent (excluded)."""
    m = personas.marketing
    reached = [factories.person(owner=personas.alice, stage="prospect", last_name=f"Reçu{i}") for i in range(4)]
    for p in reached:
        consent_record(party=p, actor=personas.admin, channel="email", purpose="prospecting", granted=True)
    refused = factories.person(owner=personas.alice, stage="prospect")
    consent_record(party=refused, actor=personas.admin, channel="email", purpose="prospecting", granted=False)
    seg = segment(actor=m, definition={"all": [{"fact": "parties.kind", "operator": "eq", "value": "person"}]})
    c = campaign(actor=m, seg=seg, name="Livret boosté", control_share=Decimal("0.25"), **WINDOW)
    before = timezone.now() - dt.timedelta(hours=2)
    for p in [*reached, refused]:
        interaction_log(party=p, actor=personas.alice, channel="phone", direction="outbound",
                        subject="Appel avant l’offre", occurred_at=before)
    services.campaign_plan(campaign=c, actor=m)
    run(services.campaign_launch, campaign=c, actor=m)
    rows = {r.party_id: r for r in CampaignRecipient.objects.filter(campaign=c)}
    return {"campaign": c, "rows": rows, "refused": refused,
            "received": [p for p in reached if rows[p.pk].status == RecipientStatus.SENT],
            "held_out": [p for p in reached if rows[p.pk].status == RecipientStatus.HELD_OUT]}


def test_sent_messages_appear_in_date_order_without_interaction_rows(client, personas, sent) -> None:
    assert sent["received"] and sent["held_out"], "the control group draws at least one of four"
    party = sent["received"][0]
    interactions_before = Interaction.objects.count()
    row = sent["rows"][party.pk]
    services.campaign_response_record(recipient=row, kind="reply", actor=personas.marketing)
    interaction_log(party=party, actor=personas.alice, channel="visit", direction="outbound", subject="Visite après")

    client.force_login(personas.alice)
    html = client.get(reverse("parties:detail", args=[party.pk])).content.decode()
    assert _timeline_titles(html) == ["Visite après", "campaign:Livret boosté", "Appel avant l’offre"]
    assert "Campaign" in html and 'badge--response-reply' in html
    # a rep may read the customer but not campaigns: the entry is shown, the link is not
    assert reverse("marketing:campaign", args=[sent["campaign"].pk]) not in html
    # nothing was written in the interactions table for the message
    assert Interaction.objects.count() == interactions_before + 1

    # held out (control) and excluded: nothing was sent, nothing is shown
    for other in (sent["held_out"][0], sent["refused"]):
        html = client.get(reverse("parties:detail", args=[other.pk])).content.decode()
        assert _timeline_titles(html) == ["Appel avant l’offre"]


def test_marketing_gets_the_link_and_outsiders_get_nothing(client, personas, sent) -> None:
    party = sent["received"][0]
    link = reverse("marketing:campaign", args=[sent["campaign"].pk])
    client.force_login(personas.marketing)
    html = client.get(reverse("parties:detail", args=[party.pk])).content.decode()
    assert f'<a href="{link}"><strong>Livret boosté</strong></a>' in html
    for user in (personas.outsider, personas.analyst):   # may not read the customer: 404, no timeline
        client.force_login(user)
        assert client.get(reverse("parties:detail", args=[party.pk])).status_code == 404
        assert client.get(f"/api/parties/{party.pk}/interactions").status_code in {403, 404}


def test_french_page_shows_the_badge(client, personas, sent) -> None:
    client.force_login(personas.alice)
    client.cookies["django_language"] = "fr"
    html = client.get(reverse("parties:detail", args=[sent["received"][0].pk])).content.decode()
    assert 'data-testid="timeline-campaign"' in html


def test_logging_a_contact_refreshes_the_merged_timeline(client, personas, sent) -> None:
    party = sent["received"][0]
    client.force_login(personas.alice)
    response = client.post(reverse("interactions:log", args=[party.pk]), {
        "channel": "phone", "direction": "outbound", "subject": "Rappel", "outcome": "", "report": "",
        "occurred_at": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert _timeline_titles(response.content.decode()) == ["Rappel", "campaign:Livret boosté", "Appel avant l’offre"]


# --- merging and pages, on rows as a send leaves them -------------------------------------------

@pytest.fixture
def mixed(personas):
    """A customer with interactions and campaign messages interleaved over ten days."""
    m = personas.marketing
    party = factories.person(owner=personas.alice)
    seg = segment(actor=m)
    now = timezone.now()
    expected = []
    for day in range(10):
        at = now - dt.timedelta(days=day, hours=1)
        if day % 3 == 1:
            c = campaign(actor=m, seg=seg, name=f"Campagne {day}")
            CampaignRecipient.objects.create(campaign=c, party=party, status=RecipientStatus.SENT, sent_at=at)
            expected.append(f"campaign:Campagne {day}")
        else:
            interaction_log(party=party, actor=personas.alice, channel="phone", direction="outbound",
                            subject=f"Appel {day}", occurred_at=at)
            expected.append(f"Appel {day}")
    # rows that must never show: a control, an exclusion, a bounce
    for status in (RecipientStatus.HELD_OUT, RecipientStatus.EXCLUDED, RecipientStatus.BOUNCED):
        c = campaign(actor=m, seg=seg, name=f"Jamais {status}")
        CampaignRecipient.objects.create(campaign=c, party=party, status=status,
                                         group="control" if status == RecipientStatus.HELD_OUT else "test")
    return party, expected


def _label(item) -> str:
    return f"campaign:{item.title}" if isinstance(item, TimelineEntry) else item.subject


def test_pages_of_the_merged_timeline_keep_order_and_size(personas, mixed) -> None:
    party, expected = mixed
    assert party_timeline_page(party=party, user=personas.alice, limit=4)[1] == 10
    assert party_timeline_page(party=party, user=personas.alice, limit=40)[1] == 10   # read whole: no COUNT
    pages = [[_label(i) for i in party_timeline(party=party, user=personas.alice, offset=o, limit=4)]
             for o in (0, 4, 8)]
    assert pages == [expected[0:4], expected[4:8], expected[8:10]]
    assert party_timeline(party=party, user=personas.alice, offset=20, limit=4) == []


def test_api_timeline_has_the_same_entries(client, personas, mixed) -> None:
    party, expected = mixed
    recipient = CampaignRecipient.objects.get(party=party, campaign__name="Campagne 1")
    CampaignResponse.objects.create(recipient=recipient, kind="click", at=recipient.sent_at + dt.timedelta(hours=1))
    client.force_login(personas.alice)
    seen = []
    for page in (1, 2, 3):
        body = client.get(f"/api/parties/{party.pk}/interactions", {"page": page, "page_size": 4}).json()
        assert body["count"] == 10
        seen += [f"campaign:{i['subject']}" if i["kind"] == "campaign" else i["subject"] for i in body["items"]]
    assert seen == expected
    first = client.get(f"/api/parties/{party.pk}/interactions", {"page_size": 4}).json()["items"]
    entry = next(i for i in first if i["kind"] == "campaign")
    assert entry["channel"] == "email" and entry["party"]["id"] == party.pk
    assert [r["kind"] for r in entry["responses"]] == ["click"]
    assert entry["source_id"] is None        # a rep may not open campaigns
    assert next(i for i in first if i["kind"] == "interaction")["author"]["id"] == personas.alice.pk
    client.force_login(personas.marketing)
    first = client.get(f"/api/parties/{party.pk}/interactions", {"page_size": 4}).json()["items"]
    assert next(i for i in first if i["kind"] == "campaign")["source_id"] == recipient.campaign_id


def test_the_page_shows_at_most_the_timeline_size(client, personas, mixed) -> None:
    from fidelia.parties.selectors import TIMELINE_SIZE

    party, _expected = mixed
    m = personas.marketing
    seg = segment(actor=m, name="Encore")
    older = timezone.now() - dt.timedelta(days=30)
    for i in range(TIMELINE_SIZE):
        c = campaign(actor=m, seg=seg, name=f"Ancienne {i}")
        CampaignRecipient.objects.create(campaign=c, party=party, status=RecipientStatus.SENT,
                                         sent_at=older - dt.timedelta(days=i))
    client.force_login(personas.alice)
    lines = _timeline_titles(client.get(reverse("parties:detail", args=[party.pk])).content.decode())
    assert len(lines) == TIMELINE_SIZE
    assert lines[:10] == _expected and lines[10] == "campaign:Ancienne 0"



def test_a_campaign_message_is_not_a_personal_contact(sent) -> None:
    """The last contact we made stays the rep's call: a mass mailing does not reset the
    "not contacted for N days" clock of the actions to take."""
    party = Party.objects.get(pk=sent["received"][0].pk)
    call = Interaction.objects.filter(party=party).latest("occurred_at").occurred_at
    assert sent["rows"][party.pk].sent_at > call
    assert party.last_outbound_at == call
