"""The survey_answers line of the retention register: invitations and answers kept 36 months, then deleted."""

from django.db import migrations

POLICY = {
    "purpose": "Satisfaction survey invitations (address, reference) and the customer's answers",
    "duration": 36, "duration_unit": "months", "start_event": "event_date", "action": "delete",
    "legal_basis": "Legitimate interest (GDPR art. 6(1)(f)) in measuring satisfaction; art. 5(1)(e): three years "
                   "cover the comparisons over time the dashboards show; aggregates already computed are anonymous.",
}


def seed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.get_or_create(key="survey_answers", defaults=POLICY)


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key="survey_answers").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0001_initial"),
        ("privacy", "0007_retention_snapshot_month"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
