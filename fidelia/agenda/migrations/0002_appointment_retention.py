"""The agenda_appointments line of the retention register: appointments with a customer are
anonymised 36 months after they took place."""

from django.db import migrations

POLICY = {
    "purpose": "Appointments with a customer (time, place, attendees, meeting report)",
    "duration": 36, "duration_unit": "months", "start_event": "event_date", "action": "anonymise",
    "legal_basis": "GDPR art. 5(1)(e) storage limitation: three years cover the commercial follow-up; "
                   "the calendar keeps the slot, without the customer and the report.",
}


def seed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.get_or_create(key="agenda_appointments", defaults=POLICY)


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key="agenda_appointments").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("agenda", "0001_initial"),
        ("privacy", "0007_retention_snapshot_month"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
