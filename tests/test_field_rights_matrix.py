"""Field-level rights: every persona × every sensitive field × page, API and search.

A sensitive field is present exactly when `policies.can_read_sensitive` says so, and *absent*
otherwise (no label, no value, no JSON key). Each response serving sensitive fields writes one
READ_SENSITIVE audit row; writes of fields a user may not change are refused and change nothing;
refused accesses to existing customers are audited. (Fidelia has no CSV/XLSX export of customer
lists or transactions yet; the DPO's subject export is covered by the privacy tests.)
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from fidelia.accounts import policies
from fidelia.accounts.enums import Role, SensitiveField
from fidelia.accounts.models import User
from fidelia.accounts.services import api_token_create
from fidelia.core.testing import Personas
from fidelia.parties import services as party_services
from fidelia.parties.fields import FieldForbidden
from fidelia.parties.models import HouseholdMember, Party
from fidelia.parties.tests import factories
from fidelia.privacy.enums import AuditAction
from fidelia.privacy.models import AuditEntry
from fidelia.sales.models import Product, ProductFamily, Transaction
from fidelia.sales.services import transaction_record
from tests.api.conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db

ROLES = ["admin", "dpo", "manager", "alice", "bob", "outsider", "marketing", "service", "analyst"]
READS_THE_FILE = {"admin", "dpo", "manager", "alice", "marketing", "service"}  # portfolio rule
FIELDS = list(SensitiveField.values)
CHILD_BIRTH = dt.date(2015, 6, 1)
INCOME_LABEL = "€50,000–80,000"




@pytest.fixture
def api_as(db: Any) -> Any:
    """A JSON client per persona, with a personal API token (as in tests/api)."""
    def make(user: User) -> ApiClient:
        return ApiClient(api_token_create(user=user, name="tests")[1])

    return make


@pytest.fixture
def product(personas: Personas) -> Product:
    family = ProductFamily.objects.create(name="Assurance")
    return Product.objects.create(code="AUTO", name="Assurance auto", family=family, kind="strategic",
                                  price=Decimal("600.00"), margin_rate=Decimal("0.2500"))


@pytest.fixture
def file(personas: Personas, product: Product) -> Party:
    """Alice's customer with every sensitive field filled in: income, a child, a purchase with margin."""
    party = factories.person(owner=personas.alice, first_name="Gaston", last_name="Sensible", income_bracket="50_80")
    lou = party_services.household_member_add(party=party, actor=personas.alice, role="child", first_name="Lou",
                                              birth_date=CHILD_BIRTH)
    # a birth's date is the child's birth date: as sensitive as the member's
    party_services.life_event_add(party=party, actor=personas.alice, kind="birth", date=CHILD_BIRTH, member=lou)
    transaction_record(party=party, actor=personas.manager, product=product, date=dt.date.today(),
                       amount=Decimal("120.00"), margin=Decimal("37.45"), channel="web")
    return party


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def can(user: User, field: str) -> bool:
    return policies.can_read_sensitive(user, field)


def read_rows(**filters: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=AuditAction.READ_SENSITIVE, **filters))


# --- the matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_360_page_shows_a_sensitive_field_exactly_when_the_role_may_read_it(role, personas, file):
    user = personas.by_role()[role]
    response = web(user).get(reverse("parties:detail", args=[file.pk]))
    if role not in READS_THE_FILE:
        assert response.status_code == 404
        return
    page = response.content.decode()
    with translation.override("en"):
        child_date = date_format(CHILD_BIRTH, "SHORT_DATE_FORMAT")
    shown = {
        SensitiveField.INCOME_BRACKET: "Income bracket" in page or INCOME_LABEL in page,
        SensitiveField.CHILDREN_BIRTH_DATES: child_date in page or 'class="num">Age</th>' in page,
        SensitiveField.TRANSACTIONS: 'id="tab-transactions"' in page or 'id="transactions"' in page,
        SensitiveField.MARGINS: '"margins"' in page or ">Margin</th>" in page or "37.45" in page,
    }
    expected = {f: can(user, f) for f in FIELDS}
    # margins of a customer are only shown inside the transactions they belong to
    expected[SensitiveField.MARGINS] = expected[SensitiveField.MARGINS] and expected[SensitiveField.TRANSACTIONS]
    assert shown == expected, role
    assert (INCOME_LABEL in page) is can(user, SensitiveField.INCOME_BRACKET)
    assert (child_date in page) is can(user, SensitiveField.CHILDREN_BIRTH_DATES)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_leaves_out_the_key_of_a_field_the_role_may_not_read(role, personas, file, api_as):
    user = personas.by_role()[role]
    client = api_as(user)
    response = client.get(f"/api/parties/{file.pk}")
    if role not in READS_THE_FILE:
        assert_error(response, 404, "not_found")
        return
    body = response.json()
    child = next(m for m in body["household_members"] if m["role"] == "child")
    assert ("income_bracket" in body) is can(user, SensitiveField.INCOME_BRACKET)
    assert ("birth_date" in child) is can(user, SensitiveField.CHILDREN_BIRTH_DATES)
    (birth,) = body["life_events"]
    assert ("date" in birth) is can(user, SensitiveField.CHILDREN_BIRTH_DATES)
    (listed_birth,) = client.get(f"/api/parties/{file.pk}/life-events").json()
    assert ("date" in listed_birth) is can(user, SensitiveField.CHILDREN_BIRTH_DATES)
    assert ("recent_transactions" in body) is can(user, SensitiveField.TRANSACTIONS)
    if "income_bracket" in body:
        assert body["income_bracket"] == "50_80"
    if "recent_transactions" in body:
        movement = body["recent_transactions"][0]
        assert ("margin" in movement) is can(user, SensitiveField.MARGINS)
        assert movement["amount"] == "120.00"
    transactions = client.get(f"/api/parties/{file.pk}/transactions")
    if can(user, SensitiveField.TRANSACTIONS):
        item = transactions.json()["items"][0]
        assert ("margin" in item) is can(user, SensitiveField.MARGINS)
    else:
        assert_error(transactions, 404, "not_found")
    assert "37.45" not in str(body) or can(user, SensitiveField.MARGINS)


@pytest.mark.parametrize("role", ROLES)
def test_the_catalogue_shows_margin_rates_only_to_who_may_read_margins(role, personas, product, api_as):
    user = personas.by_role()[role]
    allowed = can(user, SensitiveField.MARGINS)
    sheet = api_as(user).get(f"/api/products/{product.pk}").json()
    listed = api_as(user).get("/api/products").json()["items"][0]
    assert ("margin_rate" in sheet) is allowed and ("margin_rate" in listed) is allowed
    client = web(user)
    for url in (reverse("sales:product_list"), reverse("sales:product_detail", args=[product.pk])):
        page = client.get(url).content.decode()
        assert ("Margin rate" in page) is allowed and ("25.0" in page) is allowed, (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_the_transaction_list_exists_only_with_the_right_and_its_margins_only_with_theirs(role, personas, file):
    user = personas.by_role()[role]
    response = web(user).get(reverse("sales:transaction_list"))
    if not can(user, SensitiveField.TRANSACTIONS):
        assert response.status_code == 404
        return
    page = response.content.decode()
    assert response.status_code == 200
    assert (">Margin</th>" in page) is can(user, SensitiveField.MARGINS)
    if role in READS_THE_FILE:
        assert ("37.45" in page) is can(user, SensitiveField.MARGINS)


@pytest.mark.parametrize("role", ROLES)
def test_search_never_serves_a_sensitive_field(role, personas, file, api_as):
    """Finding a customer needs none of them: type-ahead and API search show them to nobody."""
    user = personas.by_role()[role]
    found = api_as(user).get("/api/parties/search", {"q": "sensible"})
    if role in READS_THE_FILE:
        assert [p["id"] for p in found.json()] == [file.pk]
        assert not {"income_bracket", "household_members", "recent_transactions"} & set(found.json()[0])
        fragment = web(user).get(reverse("parties:search"), {"q": "sensible"}, HTTP_HX_REQUEST="true")
        assert "SENSIBLE" in fragment.content.decode() and INCOME_LABEL not in fragment.content.decode()
    assert not read_rows()


@pytest.mark.parametrize("role", ["marketing", "service", "manager"])
def test_the_list_filter_on_income_follows_the_right(role, personas, file, api_as):
    user = personas.by_role()[role]
    response = api_as(user).get("/api/parties", {"income_bracket": "50_80"})
    if can(user, SensitiveField.INCOME_BRACKET):
        assert [p["id"] for p in response.json()["items"]] == [file.pk]
    else:
        error = assert_error(response, 403, "field_forbidden")
        assert set(error["fields"]) == {"income_bracket"}
        # the page's selector drops such a filter too: it reveals nothing
        page = web(user).get(reverse("parties:list"), {"income_bracket": "lt20"})
        assert file.display_name in page.content.decode()


def test_forms_do_not_offer_a_field_the_user_may_not_read(personas, file, monkeypatch):
    page = web(personas.alice).get(reverse("parties:edit", args=[file.pk])).content.decode()
    assert 'name="income_bracket"' in page
    restrict_income_to_admins(monkeypatch)
    page = web(personas.alice).get(reverse("parties:edit", args=[file.pk])).content.decode()
    assert 'name="income_bracket"' not in page and "Income bracket" not in page
    creation = web(personas.alice).get(reverse("parties:create")).content.decode()
    assert 'name="income_bracket"' not in creation and 'name="owner"' not in creation
    new_tx = web(personas.alice).get(reverse("sales:transaction_create") + f"?party={file.pk}").content.decode()
    assert 'name="margin"' not in new_tx
    assert 'name="margin"' in web(personas.manager).get(
        reverse("sales:transaction_create") + f"?party={file.pk}").content.decode()


# --- the read audit ----------------------------------------------------------------------------


def test_each_response_serving_sensitive_fields_writes_exactly_one_audit_row(personas, file, api_as):
    manager = web(personas.manager)
    api = api_as(personas.manager)
    served = [
        manager.get(reverse("parties:detail", args=[file.pk])),
        manager.get(reverse("parties:detail", args=[file.pk])),
        manager.get(reverse("parties:edit", args=[file.pk])),
        api.get(f"/api/parties/{file.pk}"),
        api.get(f"/api/parties/{file.pk}/transactions"),
        api.get("/api/transactions"),
        manager.get(reverse("sales:transaction_list")),
    ]
    assert all(r.status_code == 200 for r in served)
    rows = read_rows()
    assert len(rows) == len(served)
    by_request = {row.request_id: row for row in rows}
    assert set(by_request) == {r["X-Request-ID"] for r in served}  # one row per response, never two
    everything = sorted(["income_bracket", "children_birth_dates", "transactions", "margins"])
    page, _again, edit, file_api, party_tx, all_tx, tx_page = (by_request[r["X-Request-ID"]] for r in served)
    assert (page.party_id, page.fields, page.channel, page.actor_id) == (file.pk, everything, "web",
                                                                           personas.manager.pk)
    assert (edit.party_id, edit.fields) == (file.pk, ["income_bracket"])
    assert (file_api.party_id, file_api.fields, file_api.channel) == (file.pk, everything, "api")
    assert (party_tx.party_id, party_tx.fields) == (file.pk, ["margins", "transactions"])
    for listing in (all_tx, tx_page):  # lists across customers: no customer, the kind of rows
        assert (listing.party_id, listing.object_type, listing.fields) == (None, "sales.transaction",
                                                                           ["margins", "transactions"])
    # values never reach the audit log
    assert not any("50_80" in str(r.fields) or "37.45" in str(r.fields) for r in rows)


def test_the_fields_audited_are_those_served_to_the_role(personas, file, api_as):
    web(personas.alice).get(reverse("parties:detail", args=[file.pk]))
    web(personas.service).get(reverse("parties:detail", args=[file.pk]))
    api_as(personas.alice).get(f"/api/parties/{file.pk}")
    alice_page, service_page, alice_api = read_rows()
    assert alice_page.fields == alice_api.fields == ["children_birth_dates", "income_bracket", "transactions"]
    assert service_page.fields == ["transactions"] and service_page.actor_id == personas.service.pk


def test_no_audit_row_without_a_sensitive_field_served(personas, file, api_as):
    marketing = web(personas.marketing)  # reads every file, none of its sensitive fields
    assert marketing.get(reverse("parties:detail", args=[file.pk])).status_code == 200
    assert api_as(personas.marketing).get(f"/api/parties/{file.pk}").status_code == 200
    alice = web(personas.alice)
    for url in (reverse("parties:list"), reverse("sales:contract_list"), reverse("sales:product_list"),
                reverse("parties:search") + "?q=sensible"):
        assert alice.get(url, HTTP_HX_REQUEST="true").status_code == 200
    organisation = factories.organisation(owner=personas.alice)
    assert web(personas.marketing).get(reverse("parties:detail", args=[organisation.pk])).status_code == 200
    assert read_rows() == []


def test_a_household_fragment_audits_the_childrens_birth_dates_only(personas, file):
    response = web(personas.alice).post(reverse("parties:member_add", args=[file.pk]),
                                        {"member-role": "spouse", "member-first_name": "Max"},
                                        HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Max" in response.content.decode()
    (row,) = read_rows()
    assert (row.party_id, row.fields) == (file.pk, ["children_birth_dates"])


# --- writes refused, nothing saved -------------------------------------------------------------


def restrict_income_to_admins(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stricter mapping than Fidelia's default, so a rep who changes the file lacks the right."""
    monkeypatch.setitem(policies.SENSITIVE_READ_ROLES, SensitiveField.INCOME_BRACKET, frozenset({Role.ADMIN}))
    monkeypatch.setitem(policies.SENSITIVE_READ_ROLES, SensitiveField.CHILDREN_BIRTH_DATES,
                        frozenset({Role.ADMIN}))


def test_the_service_refuses_a_field_the_actor_may_not_read(personas, file, monkeypatch):
    restrict_income_to_admins(monkeypatch)
    with pytest.raises(FieldForbidden) as exc:
        party_services.party_update(party=file, actor=personas.alice, version=file.version,
                                    income_bracket="gt120", job_title="Pilote")
    assert exc.value.status == 403 and exc.value.code == "field_forbidden" and set(exc.value.fields) == {"income_bracket"}
    with pytest.raises(FieldForbidden):
        party_services.household_member_add(party=file, actor=personas.alice, role="child", first_name="Zoé",
                                            birth_date=dt.date(2020, 1, 1))
    file.refresh_from_db()
    assert (file.income_bracket, file.job_title, file.version) == ("50_80", "", 1)
    assert not HouseholdMember.objects.filter(first_name="Zoé").exists()


def test_a_crafted_form_post_with_a_forbidden_field_is_an_error_not_a_silent_drop(personas, file, monkeypatch):
    restrict_income_to_admins(monkeypatch)
    response = web(personas.alice).post(reverse("parties:edit", args=[file.pk]), {
        "stage": "customer", "last_name": "Renommé", "version": file.version, "income_bracket": "gt120"})
    assert response.status_code == 200
    assert "income_bracket" in str(response.context["form"].errors)
    file.refresh_from_db()
    assert (file.last_name, file.income_bracket, file.version) == ("Sensible", "50_80", 1)
    owner = web(personas.alice).post(reverse("parties:edit", args=[file.pk]), {
        "stage": "customer", "last_name": "Renommé", "version": file.version, "owner": personas.bob.pk})
    assert "owner" in str(owner.context["form"].errors)
    assert Party.objects.get(pk=file.pk).owner == personas.alice


def test_a_crafted_transaction_with_a_margin_from_a_rep_is_refused(personas, file, product, api_as):
    before = Transaction.objects.count()
    form = web(personas.alice).post(reverse("sales:transaction_create") + f"?party={file.pk}", {
        "product": product.pk, "date": dt.date.today().isoformat(), "quantity": 1, "amount": "10",
        "channel": "web", "margin": "9"})
    assert form.status_code == 200 and "margin" in str(form.context["form"].errors)
    api = api_as(personas.alice).post_json(f"/api/parties/{file.pk}/transactions", {
        "product": product.pk, "date": dt.date.today().isoformat(), "amount": "10", "channel": "web", "margin": "9"})
    error = assert_error(api, 403, "field_forbidden")
    assert set(error["fields"]) == {"margin"}
    assert Transaction.objects.count() == before


def test_an_api_patch_with_a_forbidden_field_is_a_403_and_changes_nothing(personas, file, api_as, monkeypatch):
    restrict_income_to_admins(monkeypatch)
    client = api_as(personas.alice)
    etag = client.get(f"/api/parties/{file.pk}")["ETag"]
    response = client.patch_json(f"/api/parties/{file.pk}", {"income_bracket": "gt120", "job_title": "Pilote"},
                                 headers={"If-Match": etag})
    error = assert_error(response, 403, "field_forbidden")
    assert set(error["fields"]) == {"income_bracket"} and "income_bracket" in error["message"]
    child = client.post_json(f"/api/parties/{file.pk}/household-members",
                             {"role": "child", "first_name": "Zoé", "birth_date": "2020-01-01"})
    assert set(assert_error(child, 403, "field_forbidden")["fields"]) == {"birth_date"}
    file.refresh_from_db()
    assert (file.income_bracket, file.job_title, file.version) == ("50_80", "", 1)
    # the refusal is in the audit log, with the refused field's name
    denied = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor_id=personas.alice.pk)
    assert [d.fields for d in denied] == [["income_bracket"], ["birth_date"]]
    assert denied[0].party_id == file.pk


@pytest.mark.parametrize("payload, status, field", [
    ({"team": "paris"}, 403, "team"),
    ({"owner": "bob"}, 403, "owner"),
    ({"version": 99}, 422, "version"),
    ({"erased_at": "2026-01-01T00:00:00Z"}, 422, "erased_at"),
    ({"created_at": "2020-01-01T00:00:00Z"}, 422, "created_at"),
    ({"display_name": "Autre"}, 422, "display_name"),
])
def test_no_mass_assignment_through_the_api(payload, status, field, personas, file, api_as):
    client = api_as(personas.alice)
    etag = client.get(f"/api/parties/{file.pk}")["ETag"]
    references = {"paris": personas.paris.pk, "bob": personas.bob.pk}
    payload = {k: references.get(v, v) for k, v in payload.items()}
    response = client.patch_json(f"/api/parties/{file.pk}", {**payload, "notes": "changed"},
                                 headers={"If-Match": etag})
    error = assert_error(response, status, "field_forbidden" if status == 403 else "invalid")
    assert field in error["fields"]
    fresh = Party.objects.get(pk=file.pk)
    assert (fresh.notes, fresh.version, fresh.owner_id, fresh.team_id, fresh.erased_at) == (
        "", 1, personas.alice.pk, personas.lyon.pk, None)
    # the manager may assign within the team
    assert api_as(personas.manager).patch_json(f"/api/parties/{file.pk}", {"owner": personas.bob.pk},
                                               headers={"If-Match": etag}).status_code == 200


# --- failed authorisation audit ----------------------------------------------------------------


def test_an_outsider_asking_for_an_existing_customer_gets_404_and_one_audit_row(personas, file, api_as):
    outsider = web(personas.outsider)
    assert outsider.get(reverse("parties:detail", args=[file.pk])).status_code == 404
    (row,) = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED)
    assert (row.actor_id, row.party_id, row.object_type, row.object_id, row.channel) == (
        personas.outsider.pk, file.pk, "parties.party", file.pk, "web")
    assert_error(api_as(personas.outsider).get(f"/api/parties/{file.pk}"), 404, "not_found")
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, channel="api", party_id=file.pk).count() == 1
    assert read_rows() == []


def test_reading_but_not_changing_is_audited_on_a_write(personas, file):
    response = web(personas.service).get(reverse("parties:edit", args=[file.pk]))
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor_id=personas.service.pk,
                                     party_id=file.pk).count() == 1


def test_a_customer_that_does_not_exist_writes_nothing(personas, api_as):
    assert web(personas.outsider).get(reverse("parties:detail", args=[987654])).status_code == 404
    assert_error(api_as(personas.outsider).get("/api/parties/987654"), 404, "not_found")
    assert_error(api_as(personas.outsider).get(f"/api/parties/{2**63 - 1}"), 404, "not_found")
    assert not AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).exists()


def test_every_403_is_audited(personas, file, api_as):
    response = api_as(personas.marketing).post_json(f"/api/parties/{file.pk}/interactions",
                                                    {"channel": "phone", "direction": "inbound", "subject": "?"})
    assert_error(response, 403, "forbidden")
    (row,) = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED)
    assert (row.actor_id, row.party_id, row.channel) == (personas.marketing.pk, file.pk, "api")
    assert row.request_id == response["X-Request-ID"]


def test_creation_through_the_api_refuses_assignment_fields_to_a_rep(personas, api_as):
    client = api_as(personas.alice)
    for extra, status in (({"owner": personas.bob.pk}, 403), ({"team": personas.paris.pk}, 403),
                          ({"created_by": personas.bob.pk}, 422), ({"erased_at": "2026-01-01T00:00:00Z"}, 422)):
        response = client.post_json("/api/parties", {"kind": "person", "last_name": "Assigné", **extra})
        error = assert_error(response, status, "field_forbidden" if status == 403 else "invalid")
        assert set(extra) <= set(error["fields"])
    assert not Party.objects.filter(last_name="Assigné").exists()
    created = client.post_json("/api/parties", {"kind": "person", "last_name": "Assigné"})
    assert created.status_code == 201 and created.json()["owner"]["username"] == "alice"


def test_a_manager_keeps_customers_within_the_team(personas, file, api_as):
    client = api_as(personas.manager)
    etag = client.get(f"/api/parties/{file.pk}")["ETag"]
    response = client.patch_json(f"/api/parties/{file.pk}", {"team": personas.paris.pk}, headers={"If-Match": etag})
    assert "team" in assert_error(response, 422, "invalid")["fields"]
    assert Party.objects.get(pk=file.pk).team == personas.lyon


def test_the_file_served_again_with_a_form_error_is_a_read_too(personas, file):
    response = web(personas.alice).post(reverse("interactions:log", args=[file.pk]), {"channel": "pigeon"})
    assert response.status_code == 200 and INCOME_LABEL in response.content.decode()
    (row,) = read_rows()
    assert (row.party_id, row.fields) == (file.pk, ["children_birth_dates", "income_bracket", "transactions"])


def test_the_api_documents_sensitive_keys_as_optional(client):
    """Outputs that leave keys out still document every field; the sensitive ones are not required."""
    components = client.get("/api/openapi.json").json()["components"]["schemas"]
    for name, key in (("PartyOut", "income_bracket"), ("PartyOut", "recent_transactions"),
                      ("TransactionOut", "margin"), ("ProductOut", "margin_rate"),
                      ("HouseholdMemberOut", "birth_date"), ("LifeEventOut", "date")):
        assert key in components[name]["properties"], (name, key)
        assert key not in components[name].get("required", []), (name, key)
    assert "display_name" in components["PartyOut"]["required"]
