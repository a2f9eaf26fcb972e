"""Pages and API by persona: the dashboard (names only for who may see them), the file panel (404 for the
outsider), recording a loss (write access needed), exports, settings with If-Match."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fidelia.attrition import services
from fidelia.attrition.models import AttritionRecord, AttritionRisk
from fidelia.attrition.tests.factories import base
from fidelia.core.testing import make_token

TODAY = timezone.localdate()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {make_token(user)}"})


@pytest.fixture
def world(personas):
    parties = base(owners=[personas.alice, personas.outsider], today=TODAY, n=160)
    AttritionRisk.objects.bulk_create([AttritionRisk(party=p, risk=0.9 if i % 2 == 0 else 0.1, computed_at=timezone.now(),
                                                     reasons=[{"code": "overdue", "params": {"gap": 21, "days": 95}}],
                                                     loyalty_type="spurious") for i, p in enumerate(parties)])
    return parties[0], parties[1]  # alice's, the outsider's


def test_dashboard_by_persona(world, personas):
    mine, other = world
    page = client_for(personas.alice).get(reverse("attrition:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Purchases every 21 days on average, none for 95 days" in html and mine.display_name in html
    assert f">{other.display_name}<" not in html  # the outsider's customer is out of alice's scope
    analyst = client_for(personas.analyst).get(reverse("attrition:index") + "?dimension=channel&months=6")
    assert analyst.status_code == 200 and 'data-testid="attrition-at-risk"' not in analyst.content.decode()
    assert client_for(personas.service).get(reverse("attrition:index")).status_code == 404
    export = client_for(personas.alice).get(reverse("attrition:index") + "?dimension=owner&export=csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert client_for(personas.alice).get(reverse("attrition:index") + "?dimension=nope").status_code == 200


def test_panel_and_record_lost(world, personas):
    mine, other = world
    alice = client_for(personas.alice)
    panel = alice.get(reverse("attrition:party_panel", args=[mine.pk]))
    assert panel.status_code == 200 and "90" in panel.content.decode() and "attrition-form" in panel.content.decode()
    assert alice.get(reverse("attrition:party_panel", args=[other.pk])).status_code == 404
    bad = alice.post(reverse("attrition:record_lost", args=[mine.pk]), {"date": "2999-01-01", "reason": "price"})
    assert bad.status_code == 422 and not AttritionRecord.objects.exists()
    ok = alice.post(reverse("attrition:record_lost", args=[mine.pk]), {"date": TODAY.isoformat(), "reason": "price",
                                                                       "note": "Trop cher"})
    assert ok.status_code == 200 and AttritionRecord.objects.get(party=mine).type == "structural"
    assert alice.post(reverse("attrition:record_lost", args=[other.pk]), {"date": TODAY.isoformat(),
                                                                          "reason": "price"}).status_code == 404
    marketing = client_for(personas.marketing)  # reads every customer, changes none
    assert marketing.get(reverse("attrition:party_panel", args=[mine.pk])).status_code == 200
    assert marketing.post(reverse("attrition:record_lost", args=[mine.pk]), {"date": TODAY.isoformat(),
                                                                             "reason": "price"}).status_code == 403


def test_settings_page(world, personas):
    assert client_for(personas.alice).get(reverse("attrition:settings")).status_code == 404
    manager = client_for(personas.manager)
    assert manager.get(reverse("attrition:settings")).status_code == 200
    stale = manager.post(reverse("attrition:settings"), {"inactivity_days": 200, "horizon_days": 180, "high_risk": 0.5,
                                                         "nps_favourable": 7, "csat_favourable": 4,
                                                         "repurchase_rate": 0.5, "version": 9})
    assert stale.status_code == 422 and services.settings_get().inactivity_days == 365
    ok = manager.post(reverse("attrition:settings"), {"inactivity_days": 200, "horizon_days": 180, "high_risk": 0.5,
                                                      "nps_favourable": 7, "csat_favourable": 4,
                                                      "repurchase_rate": 0.5, "version": 1})
    assert ok.status_code == 302 and services.settings_get().inactivity_days == 200


def test_api(world, personas):
    mine, other = world
    alice = api(personas.alice)
    body = alice.get(f"/api/attrition/customers/{mine.pk}").json()
    assert body["risk"] == 0.9 and body["reason_codes"] == ["overdue"] and body["loyalty_type"] == "spurious"
    assert alice.get(f"/api/attrition/customers/{other.pk}").status_code == 404
    created = alice.post(f"/api/attrition/customers/{mine.pk}/lost", {"date": TODAY.isoformat(), "reason": "event"},
                         content_type="application/json")
    assert created.status_code == 201 and created.json()["type"] == "conjunctural"
    bad = alice.post(f"/api/attrition/customers/{mine.pk}/lost", {"date": TODAY.isoformat(), "reason": "price",
                                                                     "contract_id": 999999},
                     content_type="application/json")
    assert bad.status_code == 422
    assert api(personas.marketing).post(f"/api/attrition/customers/{mine.pk}/lost",
                                        {"date": TODAY.isoformat(), "reason": "price"},
                                        content_type="application/json").status_code == 403
    rates = alice.get("/api/attrition/rates?months=6&dimension=channel").json()
    assert len(rates["months"]) == 6 and len(rates["base"][0]) == len(rates["groups"])
    assert alice.get("/api/attrition/rates?months=99").status_code == 422
    assert alice.get("/api/attrition/summary").json()["confirmed"] == 1
    assert api(personas.service).get("/api/attrition/summary").status_code == 404
    manager = api(personas.manager)
    got = manager.get("/api/attrition/settings")
    payload = {k: v for k, v in got.json().items() if k != "version"} | {"high_risk": 0.7}
    assert manager.put("/api/attrition/settings", payload, content_type="application/json").status_code == 428
    assert manager.put("/api/attrition/settings", payload, content_type="application/json",
                       headers={"If-Match": '"7"'}).status_code == 412
    done = manager.put("/api/attrition/settings", payload, content_type="application/json",
                       headers={"If-Match": got["ETag"]})
    assert done.status_code == 200 and done["ETag"] == '"2"'
    assert alice.put("/api/attrition/settings", payload, content_type="application/json",
                     headers={"If-Match": '"2"'}).status_code == 403
