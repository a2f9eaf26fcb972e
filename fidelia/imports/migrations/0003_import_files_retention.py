"""Uploaded import files and their error reports get a line in the retention register: emptied
30 days after the import (counts and each record's provenance stay)."""

from django.db import migrations

POLICY = {
    "purpose": "Imported files and their error reports (customer data as received)",
    "duration": 30, "duration_unit": "days", "start_event": "event_date", "action": "delete",
    "legal_basis": "GDPR art. 5(1)(e) storage limitation: the file is a working copy; once imported, the "
                   "data lives in the customer files and each record keeps its source (file, row, run).",
}


def seed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.get_or_create(key="import_files", defaults=POLICY)


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key="import_files").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("imports", "0002_delimiter_names"),
        ("privacy", "0006_subject_request_retention"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
