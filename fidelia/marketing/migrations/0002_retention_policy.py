"""The marketing_history line of the retention register: campaign recipients, solicitations and
responses kept 3 years, then deleted."""

from django.db import migrations

POLICY = {
    "purpose": "Campaign recipients, solicitations (contact pressure ledger), clicks and responses",
    "duration": 36, "duration_unit": "months", "start_event": "event_date", "action": "delete",
    "legal_basis": "CNIL référentiel gestion commerciale: prospecting data kept 3 years; measuring "
                   "campaigns and contact pressure needs no longer history.",
}


def seed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.get_or_create(key="marketing_history", defaults=POLICY)


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key="marketing_history").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("marketing", "0001_initial"),
        ("privacy", "0007_retention_snapshot_month"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
