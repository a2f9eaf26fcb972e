from __future__ import annotations

import json

import pytest
from django.urls import reverse

from fidelia.knowledge.tests.factories import article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(personas):
    return {"public": article(actor=personas.service, title="Obtenir son RIB", audience="public",
                              body="Depuis l'application, menu Comptes puis RIB."),
            "internal": article(actor=personas.service, title="Procédure interne de remboursement"),
            "draft": article(actor=personas.service, title="Brouillon", status="draft")}


def test_public_pages_without_login(client, articles):
    assert client.get(reverse("knowledge:public_detail", args=[articles["public"].pk])).status_code == 200
    assert client.get(reverse("knowledge:public_detail", args=[articles["internal"].pk])).status_code == 404
    assert client.get(reverse("knowledge:public_detail", args=[articles["draft"].pk])).status_code == 404
    page = client.get(reverse("knowledge:public_index"), {"q": "rib"}).content.decode()
    assert "Obtenir son RIB" in page and "remboursement" not in page


def test_staff_pages_and_drafts(client, personas, articles):
    client.force_login(personas.alice)
    assert client.get(reverse("knowledge:index"), {"q": "remboursements"}).status_code == 200
    assert client.get(reverse("knowledge:detail", args=[articles["internal"].pk])).status_code == 200
    assert client.get(reverse("knowledge:detail", args=[articles["draft"].pk])).status_code == 404
    assert client.get(reverse("knowledge:create")).status_code == 404  # reps do not edit
    client.force_login(personas.service)
    assert client.get(reverse("knowledge:detail", args=[articles["draft"].pk])).status_code == 200


def test_anonymous_staff_pages_redirect(client, articles):
    assert client.get(reverse("knowledge:index")).status_code == 302


def test_suggest_and_use(client, personas, articles):
    client.force_login(personas.service)
    html = client.get(reverse("knowledge:suggest"), {"q": "rembourser", "box": "id_body"}).content.decode()
    assert "Procédure interne de remboursement" in html and "id_body" in html
    response = client.post(reverse("knowledge:use", args=[articles["internal"].pk]), {"box": "id_body"})
    assert response.status_code == 200
    event = json.loads(response["HX-Trigger"])["kb-article-used"]
    assert event["box"] == "id_body" and "target" not in event and event["title"] == "Procédure interne de remboursement"
    articles["internal"].refresh_from_db()
    assert articles["internal"].usage_count == 1
    html = client.get(reverse("knowledge:suggest"), {"q": "<script>", "box": "x\" onload=1"}).content.decode()
    assert "onload" not in html


def test_editor_creates_and_stale_update_refused(client, personas):
    client.force_login(personas.service)
    response = client.post(reverse("knowledge:create"), {"title": "Changer de plafond", "body": "Texte.",
                                                         "kind": "procedure", "language": "fr",
                                                         "audience": "internal", "status": "published"})
    assert response.status_code == 302
    from fidelia.knowledge.models import Article

    row = Article.objects.get(title="Changer de plafond")
    data = {"title": "Changer de plafond carte", "body": "Texte.", "kind": "procedure", "language": "fr",
            "audience": "internal", "status": "published", "version": row.version}
    assert client.post(reverse("knowledge:edit", args=[row.pk]), data).status_code == 302
    stale = client.post(reverse("knowledge:edit", args=[row.pk]), data | {"title": "Autre"})
    assert stale.status_code == 200 and "someone else" in stale.content.decode()
    row.refresh_from_db()
    assert row.title == "Changer de plafond carte" and row.version == 2
