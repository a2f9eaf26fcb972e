"""The portfolio_history line of the retention register: monthly history kept 36 months, then deleted."""

from django.db import migrations

POLICY = {
    "purpose": "Monthly positions of each customer on the portfolio matrices and RADAR (trajectories)",
    "duration": 36, "duration_unit": "months", "start_event": "snapshot_month", "action": "delete",
    "legal_basis": "GDPR art. 5(1)(e) storage limitation: three years of history are enough to draw a "
                   "customer's path and compare periods; older months are recomputable from transactions.",
}


def seed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.get_or_create(key="portfolio_history", defaults=POLICY)


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key="portfolio_history").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("portfolio", "0006_grid_summary"),
        ("privacy", "0007_retention_snapshot_month"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
