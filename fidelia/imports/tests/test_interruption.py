"""Interrupting an import at random points (killed worker, terminated PostgreSQL backend) and
resuming it: no partial batch is ever visible, no duplicates, and the final state is the one of
an uninterrupted run. PostgreSQL only (real processes on a shared database)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from fidelia.core.models import ActivityEvent
from fidelia.imports import services
from fidelia.imports.enums import RunStatus
from fidelia.imports.models import ImportedRecord, ImportRun
from fidelia.imports.tests.helpers import dry_run
from fidelia.parties.models import Address, Email, Party, Phone

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only"),
]
ROOT = Path(__file__).resolve().parents[3]
APP_NAME = "fidelia-import-interruption-test"
ROWS, BATCH = 2000, 100
WORKER = (
    "import django, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup();"
    "from fidelia.imports.services import import_run_execute; import_run_execute(run_id=int(sys.argv[1]))"
)


def messy_file(rows: int = ROWS) -> str:
    """Persons with e-mails, phones and addresses; every 50th row is invalid, every 70th a repeat."""
    lines = ["Code client;Prénom;Nom;Email;Téléphone;Adresse;Code postal;Ville;Date de naissance"]
    for i in range(rows):
        birth = "31/02/1980" if i % 50 == 7 else f"{1 + i % 28:02d}/{1 + i % 12:02d}/19{50 + i % 50}"
        email = f"p{i - 1}@example.fr" if i % 70 == 69 else f"p{i}@example.fr"
        lines.append(f"X{i};Prénom{i};Nom{i % 900};{email};06{i:08d};{i} rue de la Paix;{69000 + i % 10};Lyon;{birth}")
    return "\n".join(lines) + "\n"


def state() -> dict[str, object]:
    """What an import leaves behind, independent of ids and timestamps."""
    return {
        "parties": sorted(Party.objects.values_list("display_name", "email", "phone", "postcode", "birth_date")),
        "emails": Email.objects.count(), "phones": Phone.objects.count(), "addresses": Address.objects.count(),
        "records": sorted(ImportedRecord.objects.values_list("external_id", "row")),
        "created_events": ActivityEvent.objects.filter(action="party.created").count(),
    }


def assert_whole_batches(run: ImportRun) -> None:
    run.refresh_from_db()
    assert run.committed_rows % BATCH == 0 or run.committed_rows == run.total_rows
    created = run.counts.get("create", 0)
    # what the committed progress says is exactly what the database holds: no partial batch
    assert Party.objects.count() == created
    assert ImportedRecord.objects.count() == created
    assert Email.objects.count() == created
    assert ActivityEvent.objects.filter(action="party.created").count() == created
    assert Email.objects.values("normalized").distinct().count() == created  # no duplicates


def start_worker(run_id: int) -> subprocess.Popen:
    db = connection.settings_dict
    env = {**os.environ, "PGAPPNAME": APP_NAME,
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    return subprocess.Popen([sys.executable, "-c", WORKER, str(run_id)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def terminate_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE application_name = %s AND pid <> pg_backend_pid()", [APP_NAME])
        return cursor.fetchone()[0]


def prepared_run(actor) -> ImportRun:  # type: ignore[no-untyped-def]
    run = dry_run(actor, messy_file(), config={"batch_size": BATCH, "source": "crm"})
    return services.import_run_start(run=run, actor=actor)


@pytest.mark.parametrize("how", ["kill", "terminate_backend"])
def test_interrupted_import_resumes_to_the_same_final_state(personas, how):
    rng = random.Random(20261130 + len(how))
    started = time.monotonic()
    reference = services.import_run_execute(run_id=prepared_run(personas.admin).pk)
    assert reference.status == RunStatus.DONE
    expected = state()
    print(f"uninterrupted run: {time.monotonic() - started:.1f} s")
    for model in (ImportedRecord, ImportRun, Email, Phone, Address, ActivityEvent, Party):
        model.objects.all().delete()

    run = prepared_run(personas.admin)
    interruptions = 0
    for _attempt in range(12):
        before = ImportRun.objects.get(pk=run.pk).committed_rows
        worker = start_worker(run.pk)
        # Wait for the worker to commit a batch (its start-up time varies with the machine's load),
        # then interrupt it at a random moment of the following batches.
        deadline = time.monotonic() + 120
        while (worker.poll() is None and time.monotonic() < deadline
               and ImportRun.objects.get(pk=run.pk).committed_rows == before):
            time.sleep(0.05)
        time.sleep(rng.uniform(0, 0.5))
        if worker.poll() is None:
            if how == "kill":
                worker.send_signal(signal.SIGKILL)
            else:
                terminate_backends()
            interruptions += 1
        worker.wait(timeout=60)
        assert_whole_batches(run)
        run.refresh_from_db()
        print(f"{how}: worker stopped at {run.committed_rows}/{run.total_rows} rows, status {run.status}")
        if run.status == RunStatus.DONE:
            break
    if run.status != RunStatus.DONE:
        run = services.import_run_execute(run_id=run.pk)  # the last resume, in process
    assert run.status == RunStatus.DONE
    assert interruptions >= 1
    assert_whole_batches(run)
    assert state() == expected
    # and importing the file once more changes nothing
    again = services.import_run_execute(run_id=prepared_run(personas.admin).pk)
    assert again.counts.get("create", 0) == 0 and state()["parties"] == expected["parties"]
