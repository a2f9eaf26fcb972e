import pytest

from fidelia.core.testing import make_token
from fidelia.imports.models import ImportRun
from fidelia.imports.tests.helpers import DATA
from fidelia.parties.models import Party

pytestmark = pytest.mark.django_db


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {make_token(user)}"}


def test_upload_map_dry_run_run_and_report(client, personas):
    h = _auth(personas.manager)
    with open(DATA / "messy_parties.csv", "rb") as f:
        r = client.post("/api/imports", {"file": f, "target": "parties", "source": "crm"}, **h)
    assert r.status_code == 201, r.content
    run = r.json()
    assert run["mapping"]["Civilité"] == "civility" and run["status"] == "uploaded"
    r = client.put(f"/api/imports/{run['id']}/mapping", {"mapping": run["mapping"], "batch_size": 2},
                   content_type="application/json", **h)
    assert r.status_code == 200, r.content
    r = client.post(f"/api/imports/{run['id']}/dry-run", **h)
    assert r.json()["dry_run_counts"]["create"] == 3 and Party.objects.count() == 0
    r = client.get(f"/api/imports/{run['id']}/errors", **h)
    assert r.json()["count"] == 3 and r.json()["items"][0]["row"] == 4
    r = client.post(f"/api/imports/{run['id']}/run", **h)
    assert r.status_code == 202 and r.json()["status"] == "done"
    assert Party.objects.count() == 3
    assert client.get(f"/api/imports/{run['id']}/errors.csv", **h).content.startswith(b"\xef\xbb\xbfrow;column")


def test_bad_input_is_a_422_with_the_reason(client, personas):
    h = _auth(personas.admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post("/api/imports", {"file": SimpleUploadedFile("x.csv", b"\x00\x01\x02"), "target": "parties"}, **h)
    assert r.status_code == 422 and "binary" in r.json()["error"]["message"]
    r = client.post("/api/imports", {"file": SimpleUploadedFile("x.csv", b"Nom\nA\n"), "target": "nothing"}, **h)
    assert r.status_code == 422
    assert ImportRun.objects.count() == 0
    r = client.post("/api/imports", {"file": SimpleUploadedFile("x.csv", b"Nom\nA\n")}, **h)
    run_id = r.json()["id"]
    r = client.put(f"/api/imports/{run_id}/mapping", {"mapping": {"Nom": "nope"}}, content_type="application/json", **h)
    assert r.status_code == 422 and "Nom" in r.json()["error"]["fields"]
    r = client.post(f"/api/imports/{run_id}/run", **h)
    assert r.status_code == 422  # dry run first


def test_access(client, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post("/api/imports", {"file": SimpleUploadedFile("x.csv", b"Nom\nA\n")}, **_auth(personas.manager))
    run_id = r.json()["id"]
    assert client.get(f"/api/imports/{run_id}", **_auth(personas.outsider)).status_code == 403
    assert client.get(f"/api/imports/{run_id}", **_auth(personas.marketing)).status_code == 404
    assert client.get(f"/api/imports/{run_id}", **_auth(personas.admin)).status_code == 200
    assert client.get("/api/imports", **_auth(personas.marketing)).json() == []
