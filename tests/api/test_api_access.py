"""Who sees what through the API: every persona against every endpoint family.

A Lyon customer (Alice's) and a Paris customer (the outsider's). Reads outside the portfolio and
every individual party for the analyst answer 404; lists and search simply leave them out.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fidelia.interactions.services import interaction_log
from fidelia.parties.tests import factories
from fidelia.sales.services import contract_create, transaction_record
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db



ALL = ["admin", "dpo", "manager", "alice", "bob", "outsider", "marketing", "service", "analyst"]
READS_LYON = {"admin", "dpo", "manager", "alice", "marketing", "service"}
READS_TRANSACTIONS = {"admin", "dpo", "manager", "alice", "bob", "outsider", "service"}  # field-level right
WRITES_LYON = {"admin", "manager", "alice"}
LOGS_INTERACTIONS = {"admin", "manager", "alice", "service"}
EDITS_CATALOGUE = {"admin", "manager"}
VISIBLE = {  # customers each persona finds in lists and search
    "admin": {"lyon", "paris"}, "dpo": {"lyon", "paris"}, "marketing": {"lyon", "paris"},
    "service": {"lyon", "paris"}, "manager": {"lyon"}, "alice": {"lyon"}, "bob": set(),
    "outsider": {"paris"}, "analyst": set(),
}


@pytest.fixture
def world(personas, product):
    lyon = factories.person(owner=personas.alice, first_name="Gaston", last_name="Lyonnais")
    paris = factories.person(owner=personas.outsider, first_name="Gaston", last_name="Parisien")
    for party, owner in ((lyon, personas.alice), (paris, personas.outsider)):
        contract_create(party=party, actor=owner, product=product, start_date=dt.date(2024, 1, 1))
        transaction_record(party=party, actor=owner, product=product, date=dt.date(2024, 2, 1),
                           amount=Decimal("100"), channel="branch")
        interaction_log(party=party, actor=owner, channel="phone", direction="outbound", subject="Bilan")
    return {"lyon": lyon, "paris": paris}


@pytest.mark.parametrize("who", ALL)
def test_reading_a_customer_file(who, personas, world, api_as):
    client = api_as(personas.by_role()[who])
    pk = world["lyon"].pk
    urls = [f"/api/parties/{pk}", f"/api/parties/{pk}/consents", f"/api/parties/{pk}/life-events",
            f"/api/parties/{pk}/interactions", f"/api/parties/{pk}/contracts",
            f"/api/parties/{pk}/transactions"]
    for url in urls:
        response = client.get(url)
        if who in READS_LYON and (who in READS_TRANSACTIONS or not url.endswith("/transactions")):
            assert response.status_code == 200, (who, url, response.content)
        else:
            assert_error(response, 404, "not_found")


@pytest.mark.parametrize("who", ALL)
def test_changing_a_customer_file(who, personas, world, api_as):
    client = api_as(personas.by_role()[who])
    party = world["lyon"]
    patch = client.patch_json(f"/api/parties/{party.pk}", {"notes": who}, headers={"If-Match": f'"{party.version}"'})
    email = client.post_json(f"/api/parties/{party.pk}/emails", {"address": f"{who}@example.fr"})
    contract = client.post_json(f"/api/parties/{party.pk}/contracts",
                                {"product": world_product_id(), "start_date": "2025-01-01"})
    for response in (patch, email, contract):
        if who in WRITES_LYON:
            assert response.status_code in (200, 201), (who, response.content)
        else:
            assert_error(response, 404, "not_found")


def world_product_id() -> int:
    from fidelia.sales.models import Product
    return Product.objects.get(code="AUTO").pk


@pytest.mark.parametrize("who", ALL)
def test_logging_an_interaction(who, personas, world, api_as):
    response = api_as(personas.by_role()[who]).post_json(
        f"/api/parties/{world['lyon'].pk}/interactions",
        {"channel": "phone", "direction": "inbound", "subject": "Question"})
    if who in LOGS_INTERACTIONS:
        assert response.status_code == 201, response.content
        assert response.json()["author"]["username"] == who
    elif who in READS_LYON:
        assert_error(response, 403, "forbidden")
    else:
        assert_error(response, 404, "not_found")


@pytest.mark.parametrize("who", ALL)
def test_lists_and_search_only_show_the_portfolio(who, personas, world, api_as):
    client = api_as(personas.by_role()[who])
    expected = {world[name].pk for name in VISIBLE[who]}
    parties = {p["id"] for p in client.get("/api/parties").json()["items"]}
    found = {p["id"] for p in client.get("/api/parties/search", {"q": "gaston"}).json()}
    fuzzy = {p["id"] for p in client.get("/api/parties/search", {"q": "parisienn"}).json()}
    contracts = {c["party"]["id"] for c in client.get("/api/contracts").json()["items"]}
    listed = client.get("/api/transactions")
    if who in READS_TRANSACTIONS:
        transactions = {t["party"]["id"] for t in listed.json()["items"]}
    else:  # the list does not exist for roles that may not read transactions
        assert_error(listed, 404, "not_found")
        transactions = expected
    interactions = {i["party"]["id"] for i in client.get("/api/interactions").json()["items"]}
    assert parties == found == contracts == transactions == interactions == expected
    assert fuzzy <= {world["paris"].pk} & expected


@pytest.mark.parametrize("who", ALL)
def test_individual_contract_follows_the_portfolio(who, personas, world, api_as):
    contract = world["lyon"].contracts.get()
    client = api_as(personas.by_role()[who])
    response = client.get(f"/api/contracts/{contract.pk}")
    if who in READS_LYON:
        assert response.status_code == 200
    else:
        assert_error(response, 404, "not_found")
    patch = client.patch_json(f"/api/contracts/{contract.pk}", {"annual_amount": "12.00"},
                              headers={"If-Match": f'"{contract.version}"'})
    if who in WRITES_LYON:
        assert patch.status_code == 200, patch.content
    else:
        assert_error(patch, 404, "not_found")


@pytest.mark.parametrize("who", ALL)
def test_catalogue_is_read_by_all_and_changed_by_managers(who, personas, product, api_as):
    client = api_as(personas.by_role()[who])
    assert client.get("/api/products").json()["count"] == 1
    assert client.get(f"/api/products/{product.pk}").status_code == 200
    created = client.post_json("/api/products", {"code": f"P-{who}", "name": "Livret", "family": product.family_id,
                                                 "kind": "tactical", "price": "10.00", "margin_rate": "0.1"})
    family = client.post_json("/api/product-families", {"name": f"Famille {who}"})
    for response in (created, family):
        if who in EDITS_CATALOGUE:
            assert response.status_code == 201, response.content
        else:
            assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("who", ALL)
def test_creating_customers(who, personas, api_as):
    response = api_as(personas.by_role()[who]).post_json("/api/parties", {"kind": "person", "last_name": "Neuf"})
    if who in {"admin", "manager", "alice", "bob", "outsider", "service"}:
        assert response.status_code == 201, response.content
    else:
        assert_error(response, 403, "forbidden")


def test_unauthenticated_requests_get_401(anonymous, world):
    for url in ("/api/parties", f"/api/parties/{world['lyon'].pk}", "/api/products", "/api/me"):
        response = anonymous.get(url)
        assert_error(response, 401, "unauthenticated")
    assert_error(anonymous.get("/api/parties", headers={"Authorization": "Bearer fid_wrong"}), 401,
                 "unauthenticated")


def test_session_auth_works_for_the_browsable_docs(client, personas, world):
    client.force_login(personas.alice)
    assert client.get("/api/parties").json()["count"] == 1
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Fidelia API"


def test_inactive_user_token_stops_working(personas, api_as, world):
    client = api_as(personas.alice)
    personas.alice.is_active = False
    personas.alice.save()
    assert_error(client.get("/api/parties"), 401, "unauthenticated")


def test_routing_errors_use_the_error_shape(personas, api_as):
    client = api_as(personas.admin)
    assert_error(client.get("/api/nowhere"), 404, "not_found")
    assert_error(client.post_json("/api/nowhere", {}), 404, "not_found")
    response = client.put("/api/parties", {}, content_type="application/json")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
