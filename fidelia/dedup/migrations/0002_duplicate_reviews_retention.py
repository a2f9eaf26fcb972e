"""Duplicate reviews get a line in the retention register: 12 months after the review or merge."""

from django.db import migrations

POLICY = {
    "purpose": "Duplicate reviews (possible duplicates reviewed, merge records kept for undoing a merge)",
    "duration": 12, "duration_unit": "months", "start_event": "event_date", "action": "delete",
    "legal_basis": "GDPR art. 5(1)(d) accuracy and 5(1)(e) storage limitation: a merge can be undone "
                   "for a year; then the record and the merged-away file are no longer needed.",
}


def seed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.get_or_create(key="duplicate_reviews", defaults=POLICY)


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key="duplicate_reviews").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("dedup", "0001_initial"),
        ("privacy", "0006_subject_request_retention"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
