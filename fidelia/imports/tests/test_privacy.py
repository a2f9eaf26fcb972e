import datetime as dt

import pytest
from django.utils import timezone

from fidelia.imports.models import ImportRun
from fidelia.imports.privacy import export, import_files_past
from fidelia.imports.tests.helpers import full_import
from fidelia.parties.models import Party
from fidelia.privacy.models import AuditEntry, RetentionPolicy

pytestmark = pytest.mark.django_db


def test_files_are_emptied_after_the_retention_period(personas):
    run = full_import(personas.admin, "Nom;Email\nDupont;d@example.fr\nX;broken\n")
    policy = RetentionPolicy.objects.get(key="import_files")
    later = timezone.now() + dt.timedelta(days=31)
    outcome = import_files_past(policy, now=later, apply=False)
    assert (outcome.matched, outcome.acted) == (1, 0)
    outcome = import_files_past(policy, now=later, apply=True)
    run.refresh_from_db()
    assert outcome.acted == 1 and bytes(run.content) == b"" and run.errors == [] and run.purged_at
    assert run.counts["create"] == 1  # the report's figures stay
    assert import_files_past(policy, now=timezone.now(), apply=True).matched == 0


def test_each_run_is_audited_and_provenance_is_exported(personas):
    run = full_import(personas.admin, "Nom;Email\nDupont;d@example.fr\n")
    assert AuditEntry.objects.filter(object_type="imports.importrun", object_id=run.pk).exists()
    party = Party.objects.get()
    section = export(party.pk)["imported_from"]
    assert section[0]["file"] == "file.csv" and section[0]["row"] == 2
    assert ImportRun.objects.count() == 1


def test_bulk_created_records_are_audited_and_the_chain_holds(personas):
    from fidelia.imports.testing import import_cdnow
    from fidelia.privacy.audit import audit_verify

    full_import(personas.admin, "Nom;Email\nDupont;d@example.fr\nMartin;m@example.fr\n")
    created = AuditEntry.objects.filter(action="create", object_type="parties.party")
    assert created.count() == 2 and all(f == ["import_run", "row"] for f in created.values_list("fields", flat=True))
    assert audit_verify().intact
    import_cdnow("/work/shared/data/cdnow/CDNOW_sample.txt", actor=personas.admin)
    assert AuditEntry.objects.filter(object_type="sales.transaction").count() > 6000
    assert audit_verify().intact
