"""List exports: the page's filters, the user's portfolio and field rights, formula safety, the
three formats, audit rows, inline and background paths, owner-only downloads, expiry."""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fidelia.bi.enums import ExportStatus
from fidelia.bi.lists import ListNotFound
from fidelia.bi.models import ExportJob
from fidelia.bi.services import export_job_create, export_job_file, export_jobs_purge
from fidelia.core.errors import ValidationFailed
from fidelia.core.testing import verified_login
from fidelia.privacy.enums import AuditAction
from fidelia.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def read(job: ExportJob) -> list[dict[str, Any]]:
    """The job's file as a list of dicts, whatever its format."""
    _job, path = export_job_file(user=job.user, job_id=job.pk)
    if job.fmt == "parquet":
        return pq.read_table(path).to_pylist()
    if job.fmt == "xlsx":
        rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
        return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_rep_exports_only_her_portfolio(personas: Any, world: dict[str, Any]) -> None:
    job = export_job_create(user=personas.alice, list_name="parties", filters={}, fmt="parquet")
    assert job.status == ExportStatus.DONE
    rows = read(job)
    assert {r["id"] for r in rows} == {p.pk for p in world["mine"]}
    assert world["theirs"].pk not in {r["id"] for r in rows}
    outsider = export_job_create(user=personas.outsider, list_name="transactions", filters={}, fmt="csv")
    assert [int(r["Id"]) for r in read(outsider)] == list(world["theirs"].transactions.values_list("pk", flat=True))


def test_the_page_filters_apply(personas: Any, world: dict[str, Any]) -> None:
    job = export_job_create(user=personas.alice, list_name="parties", filters={"stage": "prospect", "page": "3"},
                            fmt="parquet")
    assert [r["id"] for r in read(job)] == [world["mine"][1].pk]
    assert job.filters == {"stage": "prospect"}
    # an invalid filter value is dropped, as on the page
    job = export_job_create(user=personas.alice, list_name="transactions",
                            filters={"date_from": "2025-04-01", "channel": "nonsense"}, fmt="parquet")
    assert read(job) == []


def test_income_bracket_absent_for_marketing_and_margins_only_for_allowed_roles(personas: Any, world: Any) -> None:
    marketing = read(export_job_create(user=personas.marketing, list_name="parties", filters={}, fmt="csv"))
    assert "Income bracket" not in marketing[0]  # absent, not blank
    assert len(marketing) == 3
    alice = read(export_job_create(user=personas.alice, list_name="parties", filters={}, fmt="csv"))
    assert {r["Income bracket"] for r in alice} == {"35_50", ""}
    rep = read(export_job_create(user=personas.alice, list_name="transactions", filters={}, fmt="parquet"))
    assert "margin" not in rep[0] and "amount" in rep[0]
    manager = read(export_job_create(user=personas.manager, list_name="transactions", filters={}, fmt="parquet"))
    assert {str(r["margin"]) for r in manager} == {"50.02"}
    with pytest.raises(ListNotFound):  # marketing has no transactions page
        export_job_create(user=personas.marketing, list_name="transactions", filters={}, fmt="csv")
    with pytest.raises(ListNotFound):  # analysts see no individual customer
        export_job_create(user=personas.analyst, list_name="parties", filters={}, fmt="csv")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formulas_are_neutralised(personas: Any, world: Any, fmt: str) -> None:
    rows = read(export_job_create(user=personas.alice, list_name="parties", filters={"stage": "prospect"}, fmt=fmt))
    assert rows[0]["Last name"] == "'=HYPERLINK(\"http://evil\")"


def test_parquet_round_trip_keeps_types(personas: Any, world: Any) -> None:
    job = export_job_create(user=personas.manager, list_name="contracts", filters={}, fmt="parquet")
    _job, path = export_job_file(user=personas.manager, job_id=job.pk)
    table = pq.read_table(path)
    assert str(table.schema.field("start_date").type) == "date32[day]"
    assert str(table.schema.field("annual_amount").type) == "decimal128(14, 2)"
    assert table.column("start_date").to_pylist() == [dt.date(2024, 1, 1)]
    assert table.num_rows == job.row_count == 1


def test_every_export_is_audited_with_the_sensitive_fields_served(personas: Any, world: Any) -> None:
    before = AuditEntry.objects.count()
    export_job_create(user=personas.manager, list_name="transactions", filters={}, fmt="xlsx")
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert [(e.action, e.actor_id) for e in entries] == [(AuditAction.EXPORT, personas.manager.pk),
                                                         (AuditAction.READ_SENSITIVE, personas.manager.pk)]
    assert entries[0].fields == ["format:xlsx", "list:transactions"]
    assert entries[1].fields == ["margins", "transactions"]


def test_large_exports_run_in_the_background(personas: Any, world: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.FIDELIA_EXPORT_INLINE_MAX = 1
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(user=personas.alice, list_name="parties", filters={}, fmt="csv")
    assert job.status == ExportStatus.QUEUED  # returned before the worker ran (eager here)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.row_count == job.total_rows == 2 and job.progress == 100


def test_bad_input_is_refused_clearly(personas: Any, world: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        export_job_create(user=personas.alice, list_name="parties", filters={}, fmt="pdf")
    assert "format" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        export_job_create(user=personas.alice, list_name="users", filters={}, fmt="csv")
    assert "list" in exc.value.fields


def test_pages_download_only_for_the_owner(client: Any, personas: Any, world: Any) -> None:
    client.force_login(personas.alice)
    response = client.post(reverse("bi:export_create") + "?stage=customer", {"list": "parties", "format": "csv"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("bi:export_file", args=[job.pk])
    file = client.get(response["Location"])
    assert file.status_code == 200 and "no-store" in file["Cache-Control"]
    assert b"Martin" in b"".join(file.streaming_content) and job.row_count == 1
    page = client.get(reverse("bi:export_list"))
    assert page.status_code == 200 and reverse("bi:export_file", args=[job.pk]) in page.content.decode()
    for other in (personas.bob, personas.outsider, personas.admin):
        verified_login(client, other)
        assert client.get(reverse("bi:export_file", args=[job.pk])).status_code == 404
        assert reverse("bi:export_file", args=[job.pk]) not in client.get(reverse("bi:export_list")).content.decode()


def test_htmx_export_sends_the_filter_form_and_redirects_the_browser(client: Any, personas: Any, world: Any) -> None:
    client.force_login(personas.alice)
    response = client.post(reverse("bi:export_create"), {"list": "parties", "format": "parquet", "stage": "prospect"},
                           HTTP_HX_REQUEST="true")
    job = ExportJob.objects.get()
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("bi:export_file", args=[job.pk])
    assert job.row_count == 1


def test_list_pages_show_the_export_menu(client: Any, personas: Any, world: Any) -> None:
    client.force_login(personas.manager)
    for name in ("parties:list", "sales:contract_list", "sales:transaction_list"):
        assert reverse("bi:export_create") in client.get(reverse(name)).content.decode()


def test_analyst_gets_404_from_the_export_endpoint(client: Any, personas: Any, world: Any) -> None:
    client.force_login(personas.analyst)
    assert client.post(reverse("bi:export_create"), {"list": "parties", "format": "csv"}).status_code == 404


def test_expired_files_are_deleted_with_their_job(personas: Any, world: Any) -> None:
    job = export_job_create(user=personas.alice, list_name="parties", filters={"q": "Martin"}, fmt="csv")
    path = Path(job.file_path)
    assert path.is_file() and job.expires_at is not None
    now = timezone.now()
    assert export_jobs_purge(before=now - dt.timedelta(days=7), now=now, apply=True) == (0, 0)
    later = job.expires_at + dt.timedelta(seconds=1)
    assert export_jobs_purge(before=later - dt.timedelta(days=7), now=later, apply=False) == (1, 0)
    assert export_jobs_purge(before=later - dt.timedelta(days=7), now=later, apply=True) == (1, 1)
    assert not path.exists() and not ExportJob.objects.exists()


def test_retention_register_lists_export_files(personas: Any) -> None:
    from fidelia.privacy.models import RetentionPolicy
    from fidelia.privacy.registry import retention_hook

    policy = RetentionPolicy.objects.get(key="export_files")
    assert (policy.duration, policy.duration_unit, policy.action) == (7, "days", "delete")
    assert retention_hook("export_files") is not None


def test_cli_export_with_filters(personas: Any, world: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    stdout = io.StringIO()
    call_command("export", "parties", "--format", "parquet", "--filter", "stage=customer", "--as", "alice",
                 "-o", str(out), stdout=stdout, stderr=io.StringIO())
    assert pq.read_table(out).column("id").to_pylist() == [world["mine"][0].pk]
    assert "1 rows written" in stdout.getvalue()
    # a filter the list page does not offer is refused, not silently ignored, and nothing is written
    with pytest.raises(CommandError, match="'stag'.*no such filter"):
        call_command("export", "parties", "--filter", "stag=customer", "--as", "alice", "-o", str(tmp_path / "typo.csv"))
    assert not (tmp_path / "typo.csv").exists()


def test_exports_page_shows_progress_and_polls_while_running(client: Any, personas: Any, world: Any,
                                                             django_assert_max_num_queries: Any) -> None:
    for i in range(30):
        ExportJob.objects.create(user=personas.alice, list_name="parties", fmt="csv", status=ExportStatus.DONE,
                                 row_count=i, total_rows=i, filters={"stage": "customer"})
    ExportJob.objects.create(user=personas.alice, list_name="transactions", fmt="parquet",
                             status=ExportStatus.RUNNING, row_count=250, total_rows=1000)
    ExportJob.objects.create(user=personas.bob, list_name="parties", fmt="csv", filters={"q": "secret"})
    client.force_login(personas.alice)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("bi:export_list"))
    html = page.content.decode()
    assert "25 %" in html and 'hx-trigger="every 2s"' in html and "secret" not in html
    rows = client.get(reverse("bi:export_list"), HTTP_HX_REQUEST="true")
    assert b"<html" not in rows.content and b"export-rows" in rows.content


def test_page_exports_are_rate_limited(client: Any, personas: Any, world: Any, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.FIDELIA_EXPORT_RATE = "1/hour"
    client.force_login(personas.alice)
    assert client.post(reverse("bi:export_create"), {"list": "parties", "format": "csv"}).status_code == 302
    refused = client.post(reverse("bi:export_create"), {"list": "parties", "format": "csv"})
    assert refused.status_code == 429 and ExportJob.objects.count() == 1
