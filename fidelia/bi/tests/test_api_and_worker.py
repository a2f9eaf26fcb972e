"""The exports API (create, status, file; owner only) and the background path through a real
Celery worker on Redis (PostgreSQL only: the worker is another process)."""
from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fidelia.bi.enums import ExportStatus
from fidelia.bi.models import ExportJob
from fidelia.core.testing import make_token

pytestmark = pytest.mark.django_db


def auth(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {make_token(user)}"}


def test_api_export_round_trip(client: Any, personas: Any, world: Any) -> None:
    response = client.post("/api/exports", {"list": "transactions", "format": "parquet", "filters": {}},
                           content_type="application/json", **auth(personas.manager))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "done" and body["row_count"] == 1 and body["list"] == "transactions"
    status = client.get(f"/api/exports/{body['id']}", **auth(personas.manager))
    assert status.json()["file_url"] == f"/api/exports/{body['id']}/file"
    file = client.get(body["file_url"], **auth(personas.manager))
    table = pq.read_table(pa.BufferReader(b"".join(file.streaming_content)))
    assert table.column("margin").to_pylist()[0] is not None
    for other in (personas.alice, personas.admin):
        assert client.get(f"/api/exports/{body['id']}", **auth(other)).status_code == 404
        assert client.get(body["file_url"], **auth(other)).status_code == 404


def test_api_refuses_bad_input_and_invisible_lists(client: Any, personas: Any, world: Any) -> None:
    bad = client.post("/api/exports", {"list": "users", "format": "csv"}, content_type="application/json",
                      **auth(personas.alice))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid"
    hidden = client.post("/api/exports", {"list": "parties", "format": "csv"}, content_type="application/json",
                         **auth(personas.analyst))
    assert hidden.status_code == 404
    assert client.get("/api/exports/99999999", **auth(personas.alice)).status_code == 404


def test_api_is_rate_limited(client: Any, personas: Any, world: Any, settings: Any) -> None:
    settings.FIDELIA_EXPORT_RATE = "1/hour"
    from django.core.cache import cache

    cache.clear()
    token = auth(personas.alice)
    payload = {"list": "parties", "format": "csv"}
    assert client.post("/api/exports", payload, content_type="application/json", **token).status_code == 201
    refused = client.post("/api/exports", payload, content_type="application/json", **token)
    assert refused.status_code == 429 and refused["Retry-After"]


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_background_export_through_a_real_worker(request: Any, personas: Any, world: Any, settings: Any,
                                                 monkeypatch: Any, var_dir: Any) -> None:
    from fidelia.bi.services import export_job_create, export_job_file

    monkeypatch.setenv("FIDELIA_VAR_DIR", str(var_dir))  # the worker writes where this test reads
    request.getfixturevalue("worker")

    settings.FIDELIA_EXPORT_INLINE_MAX = 0
    job = export_job_create(user=personas.alice, list_name="parties", filters={"sort": "-name"}, fmt="parquet")
    assert job.status == ExportStatus.QUEUED
    import time

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
            break
        time.sleep(0.5)
    assert job.status == ExportStatus.DONE, job.error
    _job, path = export_job_file(user=personas.alice, job_id=job.pk)
    names = pq.read_table(path).column("last_name").to_pylist()
    from fidelia.parties.selectors import PartyFilters, party_list

    expected = party_list(user=personas.alice, filters=PartyFilters(sort="-name")).values_list("last_name", flat=True)
    assert names == list(expected) and len(names) == 2  # the page's order
    assert ExportJob.objects.get(pk=job.pk).row_count == 2
