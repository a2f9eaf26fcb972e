"""Export files get a line in the retention register: deleted 7 days after the request."""

from django.db import migrations

POLICY = {
    "purpose": "List exports (files of customer data requested by users)",
    "duration": 7, "duration_unit": "days", "start_event": "event_date", "action": "delete",
    "legal_basis": "GDPR art. 5(1)(e) storage limitation: an export is a working copy, "
                   "deleted once its owner had time to download it.",
}


def seed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.get_or_create(key="export_files", defaults=POLICY)


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key="export_files").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("bi", "0001_initial"),
        ("privacy", "0006_subject_request_retention"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
