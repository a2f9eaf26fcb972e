from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fidelia.parties.tests import factories
from fidelia.surveys import services
from fidelia.surveys.models import SurveyResponse
from fidelia.surveys.tests.factories import survey, tokens_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(mail_server, personas):
    csat = survey(actor=personas.service, kind="csat", language="en", title="How did we do?")
    party = factories.person(owner=personas.alice)
    services.survey_send_csat(party=party, reference="case:7", actor=personas.service)
    [token] = tokens_from(mail_server)
    rating, free = csat.questions.all()
    return {"survey": csat, "party": party, "token": token, "url": reverse("surveys:answer", args=[token]),
            "rating": f"q{rating.pk}", "free": f"q{free.pk}"}


def test_answer_page_once(client, sent):
    page = client.get(sent["url"])
    assert page.status_code == 200 and "How did we do?" in page.content.decode()
    assert page["Content-Language"] == "en"
    missing = client.post(sent["url"], {sent["free"]: "nothing"})
    assert missing.status_code == 422 and not SurveyResponse.objects.exists()
    done = client.post(sent["url"], {sent["rating"]: "4", sent["free"]: "<script>alert(1)</script>"})
    assert done.status_code == 200 and 'data-testid="survey-thanks"' in done.content.decode()
    again = client.post(sent["url"], {sent["rating"]: "1"})
    assert 'data-testid="survey-already"' in again.content.decode()
    assert SurveyResponse.objects.get().csat == 4
    answer = SurveyResponse.objects.get().answers.get(text__contains="script")
    assert answer.text == "<script>alert(1)</script>"  # stored as text


def test_html_in_answers_is_escaped_on_the_file(client, sent, personas):
    client.post(sent["url"], {sent["rating"]: "5", sent["free"]: "<img src=x onerror=alert(1)>"})
    client.force_login(personas.alice)
    html = client.get(reverse("surveys:party_panel", args=[sent["party"].pk])).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    client.force_login(personas.outsider)
    assert client.get(reverse("surveys:party_panel", args=[sent["party"].pk])).status_code == 404


def test_forged_and_expired_pages(client, sent):
    assert client.get(reverse("surveys:answer", args=["forged"])).status_code == 404
    with time_machine.travel(timezone.now() + dt.timedelta(days=40)):
        assert client.get(sent["url"]).status_code == 410
        assert client.post(sent["url"], {sent["rating"]: "5"}).status_code == 410
    assert not SurveyResponse.objects.exists()


def test_answer_page_is_rate_limited(client, sent, settings):
    settings.FIDELIA_SURVEYS_ANSWER_RATE = "3/min"
    codes = [client.get(reverse("surveys:answer", args=[f"guess{i}"])).status_code for i in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[-1] == 429


def test_dashboard_rights(client, sent, personas):
    client.post(sent["url"], {sent["rating"]: "5", sent["free"]: "Conseiller très aimable"})
    for persona in ("service", "marketing", "manager", "admin"):
        client.force_login(getattr(personas, persona))
        assert client.get(reverse("surveys:index")).status_code == 200
        assert "Conseiller très aimable" in client.get(reverse("surveys:detail", args=[sent["survey"].pk])).content.decode()
    client.force_login(personas.analyst)  # aggregates only
    assert client.get(reverse("surveys:index")).status_code == 200
    detail = client.get(reverse("surveys:detail", args=[sent["survey"].pk])).content.decode()
    assert "Conseiller très aimable" not in detail and "100.0" in detail
    for persona in ("alice", "outsider"):
        client.force_login(getattr(personas, persona))
        assert client.get(reverse("surveys:index")).status_code == 404
        assert client.get(reverse("surveys:detail", args=[sent["survey"].pk])).status_code == 404


def test_create_activate_and_send_from_pages(client, mail_server, personas):
    client.force_login(personas.marketing)
    response = client.post(reverse("surveys:create"), {
        "name": "Baromètre agences", "kind": "custom", "language": "fr", "valid_days": "15",
        "questions": "single | Votre agence ? | Lyon; Paris\nrating | Accueil ?\ntext | Remarques"})
    assert response.status_code == 302
    from fidelia.surveys.models import Survey

    created = Survey.objects.get(name="Baromètre agences")
    assert [q.kind for q in created.questions.all()] == ["single", "rating", "text"]
    bad = client.post(reverse("surveys:create"), {"name": "X", "kind": "custom", "language": "fr",
                                                  "valid_days": "15", "questions": "weird | ?"})
    assert bad.status_code == 200 and "Line 1" in bad.content.decode()
    client.post(reverse("surveys:set_status", args=[created.pk]), {"status": "active", "version": "1"})
    created.refresh_from_db()
    assert created.status == "active"
    party = factories.person(owner=personas.alice)
    client.post(reverse("surveys:send", args=[created.pk]), {"parties": f"{party.pk}", "reference": "agences"})
    assert len(mail_server.messages) == 1
    assert client.post(reverse("surveys:send", args=[created.pk]), {"parties": "abc"}).status_code == 302
    assert len(mail_server.messages) == 1
