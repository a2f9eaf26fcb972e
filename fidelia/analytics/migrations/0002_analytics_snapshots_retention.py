"""The analytics_snapshots line of the retention register: monthly history kept 36 months, then deleted."""

from django.db import migrations

POLICY = {
    "purpose": "Monthly analytics snapshots of each customer (ABC class, RFM scores and segment, FRAT): trajectories and migration tables",
    "duration": 36, "duration_unit": "months", "start_event": "snapshot_month", "action": "delete",
    "legal_basis": "GDPR art. 5(1)(e) storage limitation: three years of history are enough to draw a "
                   "customer's path and compare periods; older months are recomputable from transactions.",
}


def seed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.get_or_create(key="analytics_snapshots", defaults=POLICY)


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key="analytics_snapshots").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("analytics", "0001_initial"),
        ("privacy", "0007_retention_snapshot_month"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
