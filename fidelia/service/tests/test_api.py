"""API: open, read with ETag, change with If-Match (428/412), workflow, reply, note, rights, SLA policies."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fidelia.core.testing import make_token
from fidelia.service.models import Case


def api(user: Any) -> Any:
    token = make_token(user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def opened(personas, customer, policies_sla) -> dict[str, Any]:
    r = api(personas.service).post("/api/service/cases", {"party_id": customer.pk, "subject": "Prélèvement en double",
                                                          "kind": "complaint", "category": "core_failure",
                                                          "priority": "high"}, content_type="application/json")
    assert r.status_code == 201, r.content
    return r.json()


def test_open_read_and_change_with_if_match(personas, opened, mail_server):
    c = api(personas.service)
    assert opened["reference"].startswith("CAS-") and opened["resolution_due"] and opened["sla"]["level"] in {"ok", "soon"}
    url = f"/api/service/cases/{opened['id']}"
    r = c.get(url)
    etag = r["ETag"]
    assert c.patch(url, {"priority": "urgent"}, content_type="application/json").status_code == 428
    assert c.patch(url, {"priority": "urgent"}, content_type="application/json", HTTP_IF_MATCH='"99"').status_code == 412
    r = c.patch(url, {"priority": "urgent"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200 and r.json()["priority"] == "urgent"
    r = c.post(url + "/status", {"status": "closed"}, content_type="application/json", HTTP_IF_MATCH=r["ETag"])
    assert r.status_code == 422
    r = c.post(url + "/reply", {"body": "Bonjour {customer_name}", "then": "waiting"}, content_type="application/json",
               HTTP_IF_MATCH=c.get(url)["ETag"])
    assert r.status_code == 201 and mail_server.messages
    assert c.get(url).json()["status"] == "waiting"
    assert c.post(url + "/notes", {"body": "RAS"}, content_type="application/json").status_code == 201
    assert len(c.get(url).json()["messages"]) == 2


def test_unknown_keys_and_bad_values_are_422(personas, customer):
    c = api(personas.service)
    assert c.post("/api/service/cases", {"party_id": customer.pk, "subject": "x", "version": 3},
                  content_type="application/json").status_code == 422
    assert c.post("/api/service/cases", {"party_id": customer.pk, "subject": "x", "kind": "bogus"},
                  content_type="application/json").status_code == 422
    assert c.post("/api/service/cases", {"party_id": 987654, "subject": "x"},
                  content_type="application/json").status_code == 422
    assert not Case.objects.exists()


def test_outsider_gets_404_and_analyst_403(personas, opened):
    assert api(personas.outsider).get(f"/api/service/cases/{opened['id']}").status_code == 404
    assert api(personas.outsider).get("/api/service/cases").json()["count"] == 0
    assert api(personas.alice).get("/api/service/cases?view=all").json()["count"] == 1
    assert api(personas.analyst).get("/api/service/cases").status_code == 403


def test_sla_policies_admin_only(personas, policies_sla):
    body = {"name": "Clients A urgents", "priority": "urgent", "segment": "A", "first_response_hours": "0.5",
            "resolution_hours": "4"}
    assert api(personas.service).post("/api/service/sla-policies", body, content_type="application/json").status_code == 403
    admin = api(personas.admin)
    r = admin.post("/api/service/sla-policies", body, content_type="application/json")
    assert r.status_code == 201
    url = f"/api/service/sla-policies/{r.json()['id']}"
    etag = admin.get(url)["ETag"]
    r = admin.put(url, {**body, "resolution_hours": "6"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200 and r.json()["version"] == 2
    assert admin.post("/api/service/sla-policies", body, content_type="application/json").status_code == 422
