import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fidelia.imports.enums import RunStatus
from fidelia.imports.models import ImportRun
from fidelia.imports.tests.helpers import DATA, upload
from fidelia.parties.models import Party

pytestmark = pytest.mark.django_db


def _upload(client, name="messy_parties.csv", data=None, **extra):
    data = data if data is not None else (DATA / name).read_bytes()
    return client.post(reverse("imports:run_list"), {"file": SimpleUploadedFile(name, data), "target": "parties", **extra})


def test_the_wizard_end_to_end(client, personas):
    client.force_login(personas.manager)
    response = _upload(client)
    assert response.status_code == 302
    run = ImportRun.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'data-column="Civilité"' in page.content.decode()
    mapping = {f"map-{i}": run.mapping.get(h, "") for i, h in enumerate(run.headers)}
    response = client.post(response["Location"], {**mapping, "source": "crm", "batch_mode": "batch",
                                                  "batch_size": 100, "duplicates": "skip", "save_as": "Mon export"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "data-dry-run-report" in page and "31/02/2024" in page
    assert Party.objects.count() == 0
    errors = client.get(reverse("imports:run_errors", args=[run.pk]))
    assert errors["Content-Type"].startswith("text/csv") and b"31/02/2024" in errors.content
    client.post(reverse("imports:run_start", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and Party.objects.count() == 3
    progress = client.get(reverse("imports:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert b"data-import-report" in progress.content and b"hx-trigger" not in progress.content


def test_bad_files_get_a_message_not_a_500(client, personas):
    client.force_login(personas.admin)
    for data in (b"", b"\x00\x01binary", b"PK\x03\x04broken", b"Nom;Nom\nA;B\n"):
        response = _upload(client, name="bad.csv", data=data)
        assert response.status_code in (200, 422)
    assert ImportRun.objects.count() == 0


def test_mapping_problems_are_shown(client, personas):
    client.force_login(personas.admin)
    run = upload(personas.admin, "Nom;Prénom\nA;B\n")
    response = client.post(reverse("imports:run_detail", args=[run.pk]), {
        "map-0": "first_name", "map-1": "first_name", "source": "x", "batch_mode": "batch", "batch_size": 10,
        "duplicates": "skip"})
    assert response.status_code == 422 and "Several columns" in response.content.decode()


def test_outsiders_get_404(client, personas):
    run = upload(personas.manager, "Nom\nA\n")
    for user in (personas.alice, personas.outsider, personas.marketing):
        client.force_login(user)
        for name in ("run_detail", "run_progress", "run_errors"):
            assert client.get(reverse(f"imports:{name}", args=[run.pk])).status_code == 404
    client.force_login(personas.alice)
    assert client.get(reverse("imports:run_list")).status_code == 404
    client.force_login(personas.admin)
    assert client.get(reverse("imports:run_detail", args=[run.pk])).status_code == 200


def test_run_list_query_count(client, personas, django_assert_max_num_queries):
    for i in range(5):
        upload(personas.admin, f"Nom\nA{i}\n")
    client.force_login(personas.admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("imports:run_list")).status_code == 200


def test_a_stopped_run_is_resumed_from_the_page(client, personas):
    from fidelia.imports import services
    from fidelia.imports.tests.helpers import dry_run

    run = dry_run(personas.manager, "Nom\nA\nB\nC\n", config={"batch_size": 1})
    run = services.import_run_start(run=run, actor=personas.manager)
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)  # its worker died
    client.force_login(personas.manager)
    page = client.get(reverse("imports:run_detail", args=[run.pk])).content.decode()
    assert "hx-trigger" in page and "Resume" in page
    client.post(reverse("imports:run_resume", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and Party.objects.count() == 3
