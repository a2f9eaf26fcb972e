"""The deduplication API: list, read, merge with chosen values, dismiss, undo, scans; access."""
from __future__ import annotations

import pytest
from django.test import Client

from fidelia.core.testing import make_token
from fidelia.dedup.models import DuplicateScan, Merge
from fidelia.dedup.tests import factories as f
from fidelia.parties.models import Party


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {make_token(user)}"})


@pytest.mark.django_db
def test_list_get_merge_undo(personas, django_assert_max_num_queries) -> None:
    a, b = f.pair(personas.alice, job_title="Médecin")
    pair = f.candidate(a, b)
    for i in range(4):
        f.candidate(*f.pair(personas.alice, first_name=f"X{i}"), score=0.6)
    client = api(personas.manager)
    with django_assert_max_num_queries(8):
        listed = client.get("/api/duplicates").json()
    assert listed["count"] == 5 and listed["items"][0]["id"] == pair.pk
    assert "same birth date" in listed["items"][0]["reason_labels"]
    detail = client.get(f"/api/duplicates/{pair.pk}").json()
    assert {r["name"]: r["differs"] for r in detail["fields"]}["job_title"] is True

    merged = client.post(f"/api/duplicates/{pair.pk}/merge", {"survivor_id": a.pk, "choices": {"job_title": b.pk}},
                         content_type="application/json")
    assert merged.status_code == 200, merged.content
    assert merged.json()["loser_id"] == b.pk and merged.json()["moved_rows"] >= 2
    assert Party.objects.get(pk=a.pk).job_title == "Médecin"
    again = client.post(f"/api/duplicates/{pair.pk}/merge", {"survivor_id": a.pk}, content_type="application/json")
    assert again.status_code == 404  # the merged file is gone from the caller's files

    undone = client.post(f"/api/duplicates/merges/{merged.json()['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert client.post(f"/api/duplicates/merges/{merged.json()['id']}/undo").json()["error"]["code"] == "already_undone"


@pytest.mark.django_db
def test_bad_input_is_a_clear_error(personas) -> None:
    a, b = f.pair(personas.alice)
    pair = f.candidate(a, b)
    client = api(personas.manager)
    wrong = client.post(f"/api/duplicates/{pair.pk}/merge", {"survivor_id": 999999}, content_type="application/json")
    assert wrong.status_code == 422 and "survivor_id" in wrong.json()["error"]["fields"]
    bad = client.post(f"/api/duplicates/{pair.pk}/merge", {"survivor_id": a.pk, "choices": {"password": a.pk}},
                      content_type="application/json")
    assert bad.status_code == 422 and "password" in bad.json()["error"]["fields"]
    assert client.post(f"/api/duplicates/{pair.pk}/merge", "nonsense", content_type="application/json").status_code in (400, 422)
    assert not Merge.objects.exists()


@pytest.mark.django_db
def test_outsiders_and_non_reviewers_get_404(personas) -> None:
    pair = f.candidate(*f.pair(personas.alice))
    outsider_pair = f.candidate(*f.pair(personas.outsider))
    for user in (personas.alice, personas.outsider, personas.analyst):
        assert api(user).get("/api/duplicates").status_code == 404
        assert api(user).get(f"/api/duplicates/{pair.pk}").status_code == 404
    manager = api(personas.manager)
    assert manager.get(f"/api/duplicates/{outsider_pair.pk}").status_code == 404
    assert manager.post(f"/api/duplicates/{outsider_pair.pk}/dismiss").status_code == 404
    assert manager.post("/api/duplicates/scans", {"scope": "full"}, content_type="application/json").status_code == 404


@pytest.mark.django_db
def test_dismiss(personas) -> None:
    pair = f.candidate(*f.pair(personas.alice))
    client = api(personas.manager)
    assert client.post(f"/api/duplicates/{pair.pk}/dismiss").json()["status"] == "dismissed"
    assert client.post(f"/api/duplicates/{pair.pk}/dismiss").status_code == 409
    assert client.get("/api/duplicates").json()["count"] == 0
    assert client.get("/api/duplicates?status=dismissed").json()["count"] == 1


@pytest.mark.django_db
def test_admin_runs_a_scan(personas, django_capture_on_commit_callbacks) -> None:
    f.pair(personas.alice)
    with django_capture_on_commit_callbacks(execute=True):
        started = api(personas.admin).post("/api/duplicates/scans", {"scope": "full"}, content_type="application/json")
    assert started.status_code == 202
    run = api(personas.admin).get(f"/api/duplicates/scans/{started.json()['id']}").json()
    assert run["status"] == "done" and run["found"] == 1
    assert DuplicateScan.objects.count() == 1
