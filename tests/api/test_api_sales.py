"""Catalogue, contracts, transactions and the timeline through the API."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fidelia.interactions.services import interaction_log
from fidelia.parties.tests import factories
from fidelia.sales.services import contract_create, transaction_record
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db


def test_product_create_get_patch_with_etag(personas, product, api_as):
    client = api_as(personas.manager)
    created = client.post_json("/api/products", {"code": "LIV-A", "name": "Livret A", "family": product.family_id,
                                                 "kind": "tactical", "price": "0.00", "margin_rate": "0.0150"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    got = client.get(f"/api/products/{pk}")
    assert got.json()["margin_rate"] == "0.0150" and got.headers["ETag"] == '"1"'
    assert_error(client.patch_json(f"/api/products/{pk}", {"name": "Livret"}), 428, "precondition_required")
    patched = client.patch_json(f"/api/products/{pk}", {"name": "Livret A+"}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200 and patched.json()["name"] == "Livret A+"
    assert patched.headers["ETag"] == '"2"'
    assert_error(client.patch_json(f"/api/products/{pk}", {"name": "Old"}, headers={"If-Match": '"1"'}),
                 412, "stale_version")


@pytest.mark.parametrize("payload, field", [
    ({"code": "AUTO"}, "code"),
    ({"family": 999999}, "family"),
    ({"margin_rate": "1.5"}, "margin_rate"),
    ({"price": "-1"}, "price"),
    ({"price": "1e400"}, "price"),
    ({"price": "NaN"}, "price"),
    ({"kind": "core"}, "kind"),
])
def test_product_validation(personas, product, api_as, payload, field):
    body = {"code": "NEW", "name": "Nouveau", "family": product.family_id, "kind": "strategic", "price": "10",
            "margin_rate": "0.2", **payload}
    error = assert_error(api_as(personas.admin).post_json("/api/products", body), 422, "invalid")
    assert field in error["fields"]


def test_product_patch_refuses_null(personas, product, api_as):
    response = api_as(personas.admin).patch_json(f"/api/products/{product.pk}", {"name": None},
                                                 headers={"If-Match": '"1"'})
    assert "name" in assert_error(response, 422, "invalid")["fields"]


def test_contract_lifecycle(personas, product, api_as):
    party = factories.person(owner=personas.alice, stage="prospect")
    client = api_as(personas.alice)
    created = client.post_json(f"/api/parties/{party.pk}/contracts",
                               {"product": product.pk, "start_date": "2025-03-01", "annual_amount": "600.00"})
    assert created.status_code == 201, created.content
    contract = created.json()
    assert contract["reference"].startswith("CT-") and contract["product"]["code"] == "AUTO"
    party.refresh_from_db()
    assert party.stage == "customer"
    etag = client.get(f"/api/contracts/{contract['id']}").headers["ETag"]
    patched = client.patch_json(f"/api/contracts/{contract['id']}", {"status": "cancelled", "end_date": "2025-06-30"},
                                headers={"If-Match": etag})
    assert patched.status_code == 200, patched.content
    assert patched.json()["status"] == "cancelled"
    assert_error(client.patch_json(f"/api/contracts/{contract['id']}", {"end_date": "2020-01-01"},
                                   headers={"If-Match": patched.headers["ETag"]}), 422, "invalid")
    assert_error(client.patch_json(f"/api/contracts/{contract['id']}", {"status": "ended"},
                                   headers={"If-Match": etag}), 412, "stale_version")
    assert_error(client.post_json(f"/api/parties/{party.pk}/contracts", {"product": 999999, "start_date": "2025-01-01"}),
                 422, "invalid")
    listed = client.get(f"/api/parties/{party.pk}/contracts").json()
    assert listed["count"] == 1
    assert client.get("/api/contracts", {"status": "cancelled", "party": party.pk}).json()["count"] == 1
    assert client.get("/api/contracts", {"renewal_within": 30}).json()["count"] == 0


def test_transactions_record_and_date_range(personas, product, api_as):
    party = factories.person(owner=personas.alice)
    client = api_as(personas.alice)
    for day in ("2025-01-10", "2025-02-10", "2025-03-10"):
        response = client.post_json(f"/api/parties/{party.pk}/transactions",
                                    {"product": product.pk, "date": day, "amount": "120.00", "channel": "web"})
        assert response.status_code == 201, response.content
    assert "margin" not in response.json()  # a rep may not read margins: the key is absent
    by_manager = api_as(personas.manager).post_json(f"/api/parties/{party.pk}/transactions",
                                                    {"product": product.pk, "date": "2024-12-11", "amount": "120.00",
                                                     "channel": "web"})
    assert by_manager.status_code == 201 and by_manager.json()["margin"] == "30.00"
    ranged = client.get("/api/transactions", {"date_from": "2025-02-01", "date_to": "2025-03-10"}).json()
    assert [t["date"] for t in ranged["items"]] == ["2025-03-10", "2025-02-10"]
    assert_error(client.get("/api/transactions", {"date_from": "2025-03-01", "date_to": "2025-02-01"}), 422, "invalid")
    assert_error(client.post_json(f"/api/parties/{party.pk}/transactions",
                                  {"product": product.pk, "date": "2025-01-10", "amount": "0", "channel": "web"}),
                 422, "invalid")
    assert_error(client.post_json(f"/api/parties/{party.pk}/transactions",
                                  {"product": product.pk, "date": "2025-01-10", "amount": "1", "channel": "web",
                                   "quantity": 2**40}), 422, "invalid")
    assert client.get(f"/api/parties/{party.pk}/transactions").json()["count"] == 4  # 3 by Alice, 1 by the manager


def test_interactions_log_and_timeline(personas, api_as):
    party = factories.person(owner=personas.alice)
    client = api_as(personas.alice)
    logged = client.post_json(f"/api/parties/{party.pk}/interactions", {
        "channel": "visit", "direction": "outbound", "subject": "Bilan annuel", "outcome": "interested",
        "report": "Projet immobilier en 2027.", "occurred_at": "2025-05-02T14:30:00+02:00"})
    assert logged.status_code == 201, logged.content
    assert logged.json()["author"]["username"] == "alice"
    assert_error(client.post_json(f"/api/parties/{party.pk}/interactions", {
        "channel": "visit", "direction": "outbound", "subject": "Futur", "occurred_at": "2999-01-01T00:00:00Z"}),
        422, "invalid")
    timeline = client.get(f"/api/parties/{party.pk}/interactions").json()
    assert [i["subject"] for i in timeline["items"]] == ["Bilan annuel"]
    assert client.get("/api/interactions", {"channel": "visit"}).json()["count"] == 1
    assert client.get("/api/interactions", {"channel": "sms"}).json()["count"] == 0


@pytest.fixture
def thirty(personas, product):
    parties = [factories.person(owner=personas.alice) for _ in range(30)]
    for party in parties:
        contract_create(party=party, actor=personas.alice, product=product, start_date=dt.date(2024, 1, 1))
        transaction_record(party=party, actor=personas.alice, product=product, date=dt.date(2024, 2, 1),
                           amount=Decimal("10"), channel="web")
        interaction_log(party=party, actor=personas.alice, channel="phone", direction="outbound", subject="Appel")
    return parties


# Serving sensitive fields appends one audit row: savepoint, (PostgreSQL: the chain's advisory
# lock,) chain head, insert, release.
AUDIT_ROW = 5


@pytest.mark.parametrize("url", ["/api/parties", "/api/contracts", "/api/transactions", "/api/interactions",
                                 "/api/products"])
def test_list_query_counts_are_pinned(url, personas, thirty, api_as, django_assert_max_num_queries):
    client = api_as(personas.alice)
    with django_assert_max_num_queries(6 + (AUDIT_ROW if url == "/api/transactions" else 0)):
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] == (1 if url == "/api/products" else 30)


def test_party_timeline_query_count_is_pinned(personas, thirty, api_as, django_assert_max_num_queries):
    client = api_as(personas.alice)
    for path in ("interactions", "contracts", "transactions"):
        with django_assert_max_num_queries(7 + (AUDIT_ROW if path == "transactions" else 0)):
            assert client.get(f"/api/parties/{thirty[0].pk}/{path}").status_code == 200


def test_customer_file_query_count_is_pinned(personas, thirty, api_as, django_assert_max_num_queries):
    client = api_as(personas.alice)
    with django_assert_max_num_queries(18 + AUDIT_ROW):
        assert client.get(f"/api/parties/{thirty[0].pk}").status_code == 200
