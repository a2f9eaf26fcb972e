"""The BI feed: registered tables, the Parquet export and manifest, pseudonymous ids, no direct
identifier (canary), the API manifest and the pages' access, the read-only PostgreSQL schema."""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from fidelia.accounts import policies
from fidelia.accounts.enums import Role, SensitiveField
from fidelia.bi.feed import READER_ROLE, SCHEMA, bi_feed_export, bi_schema_install
from fidelia.bi.models import PartyPseudonym
from fidelia.bi.pseudonyms import pseudonym
from fidelia.bi.registry import registered_tables
from fidelia.core.testing import make_token, verified_login
from fidelia.parties.services import AddressInput
from fidelia.parties.tests import factories
from fidelia.privacy.enums import AuditAction
from fidelia.privacy.models import AuditEntry
from fidelia.privacy.services import subject_erase

pytestmark = pytest.mark.django_db

CANARY = "qzxbicanary"


def feed(tmp_path: Path) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    manifest = bi_feed_export(out_dir=tmp_path / "feed")
    data = {t["name"]: pq.read_table(tmp_path / "feed" / t["file"]).to_pylist() for t in manifest["tables"]}
    return manifest, data


def test_every_table_is_written_with_its_manifest(personas: Any, world: Any, tmp_path: Path) -> None:
    manifest, data = feed(tmp_path)
    assert json.loads((tmp_path / "feed" / "manifest.json").read_text()) == manifest
    assert manifest["feed_version"] == "1" and manifest["generated_at"]
    names = {t["name"]: t for t in manifest["tables"]}
    assert set(names) >= {"customers", "transactions", "products", "contracts", "scores", "segments", "campaigns"}
    assert {n: names[n]["rows"] for n in ("customers", "transactions", "products", "contracts", "scores")} == {
        "customers": 3, "transactions": 2, "products": 1, "contracts": 2, "scores": 0}
    assert names["customers"]["file"] == "customers_v1.parquet"
    alice_customer = pseudonym(world["mine"][0].pk)
    row = next(r for r in data["customers"] if r["customer_id"] == alice_customer)
    assert (row["department"], row["kind"], row["owner_id"], row["is_erased"]) == ("69", "person", personas.alice.pk, False)
    assert row["age_band"] in {"35-44", "45-54"}
    assert {r["customer_id"] for r in data["transactions"]} <= {r["customer_id"] for r in data["customers"]}
    assert str(data["transactions"][0]["margin"]) == "50.02"


def test_pseudonymous_ids_are_stable_and_keyed(personas: Any, world: Any, tmp_path: Path, settings: Any) -> None:
    first = {r["customer_id"] for r in feed(tmp_path / "a")[1]["customers"]}
    assert first == {r["customer_id"] for r in feed(tmp_path / "b")[1]["customers"]}
    assert all(len(i) == 32 for i in first)
    settings.FIDELIA_BI_SALT = "another key"
    assert pseudonym(world["mine"][0].pk) not in first


def test_no_direct_identifier_in_the_feed(personas: Any, world: Any, tmp_path: Path) -> None:
    party = factories.person(owner=personas.alice, first_name=f"{CANARY}first", last_name=f"{CANARY}last",
                             email=f"{CANARY}@exemple.fr", phone="0611223344", job_title=f"{CANARY}job",
                             notes=f"{CANARY}notes",
                             address=AddressInput(line1=f"{CANARY} street", postcode="69001", city=f"{CANARY}city"))
    _manifest, data = feed(tmp_path)
    dumped = json.dumps(data, default=str).lower()
    for value in (CANARY, "0611223344", "+33611223344", party.display_name.lower(), world["mine"][0].last_name.lower()):
        assert value not in dumped
    assert f'"{party.pk}"' not in dumped  # no party id either: pseudonymous ids only
    for table in registered_tables():
        assert not {c.name for c in table.columns} & {"name", "first_name", "last_name", "email", "phone",
                                                        "birth_date", "city", "postcode", "party_id", "notes"} or table.name in {"products", "campaigns"}


def test_erased_parties_lose_their_identity_and_their_old_pseudonym(personas: Any, world: Any, tmp_path: Path) -> None:
    party = world["mine"][0]
    before = {r["customer_id"] for r in feed(tmp_path / "a")[1]["customers"]}
    subject_erase(party_id=party.pk, actor=personas.dpo)
    after = feed(tmp_path / "b")[1]
    assert pseudonym(party.pk) in before and pseudonym(party.pk) not in {r["customer_id"] for r in after["customers"]}
    erased = [r for r in after["customers"] if r["is_erased"]]
    assert len(erased) == 1 and erased[0]["department"] is None and erased[0]["age_band"] is None
    assert PartyPseudonym.objects.get(party_id=party.pk).erased


def test_feed_readers_may_read_margins() -> None:
    """The feed carries margins: every role allowed to read it must be allowed to read margins."""
    for role in Role.values:
        user = type("U", (), {"role": role, "is_authenticated": True, "is_active": True})()
        if policies.can_read_bi_feed(user):
            assert policies.can_read_sensitive(user, SensitiveField.MARGINS), role


def test_export_command_and_audit(personas: Any, world: Any, tmp_path: Path) -> None:
    before = AuditEntry.objects.count()
    stdout = io.StringIO()
    call_command("bi", "export", "--out", str(tmp_path / "cli"), stdout=stdout, stderr=io.StringIO())
    assert "customers_v1.parquet: 3 rows" in stdout.getvalue()
    entry = AuditEntry.objects.order_by("id")[before:].get()
    assert (entry.action, entry.fields) == (AuditAction.EXPORT, ["bi_feed", "format:parquet"])


def test_manifest_api_and_pages_for_admins_and_analysts_only(client: Any, personas: Any, world: Any) -> None:
    for user, status in ((personas.analyst, 200), (personas.admin, 200), (personas.manager, 404),
                         (personas.alice, 404), (personas.dpo, 404)):
        response = client.get("/api/bi/manifest", HTTP_AUTHORIZATION=f"Bearer {make_token(user)}")
        assert response.status_code == status, user
        verified_login(client, user)
        assert client.get(reverse("bi:feed")).status_code == status
        client.logout()
    verified_login(client, personas.analyst)
    assert client.post(reverse("bi:feed_generate")).status_code == 302
    manifest = client.get("/api/bi/manifest").json()
    customers = next(t for t in manifest["tables"] if t["name"] == "customers")
    assert customers["rows"] == 3 and manifest["generated_at"]
    download = client.get(reverse("bi:feed_file", args=["customers_v1.parquet"]))
    assert download.status_code == 200
    assert client.get(reverse("bi:feed_file", args=["manifest.json"])).status_code == 404
    assert client.get(reverse("bi:feed") + "feed/..%2Fmanifest.json").status_code == 404


def test_schema_is_postgresql_only_on_sqlite(personas: Any) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("SQLite behaviour")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bi", "install-schema", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_read_only_role_reads_the_views_and_nothing_else(personas: Any, world: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the read-only schema needs PostgreSQL")
    views = bi_schema_install()
    assert f"{SCHEMA}.customers_v1" in views and f"{SCHEMA}.campaigns_v1" in views
    assert bi_schema_install() == views  # refreshing is idempotent
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT customer_id, department FROM {SCHEMA}.customers_v1 WHERE department = '69'")
        assert cursor.fetchall() == [(pseudonym(world["mine"][0].pk), "69")]
    refused = [
        f"INSERT INTO {SCHEMA}.products_v1 (product_code) VALUES ('X')",
        f"UPDATE {SCHEMA}.customers_v1 SET stage = 'former'",
        "SELECT count(*) FROM parties_party",
        "SELECT count(*) FROM bi_partypseudonym",
        f"CREATE TABLE {SCHEMA}.intruder (x int)",
    ]
    for statement in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {READER_ROLE}")
            cursor.execute(statement)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {READER_ROLE}")
        cursor.execute(f"SELECT count(*) FROM {SCHEMA}.transactions_v1")
        assert cursor.fetchone() == (2,)
        cursor.execute("SELECT table_schema, table_name FROM information_schema.tables "
                       "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
        assert {schema for schema, _name in cursor.fetchall()} == {SCHEMA}
