"""Retention lines of attrition: risk scores follow the customer relationship; lost-customer records are
kept 3 years after the loss, then deleted."""

from django.db import migrations

POLICIES = {
    "attrition_risk": {
        "purpose": "Attrition risk score, its reasons and the loyalty type of each active customer",
        "duration": 1, "duration_unit": "months", "start_event": "relationship_end", "action": "delete",
        "legal_basis": "GDPR art. 6(1)(f) legitimate interest in retaining customers; a score is recomputed "
                       "every night and is removed a month after the customer stops being active.",
    },
    "attrition_records": {
        "purpose": "Lost customers: date, reason and type of the attrition",
        "duration": 36, "duration_unit": "months", "start_event": "relationship_end", "action": "delete",
        "legal_basis": "GDPR art. 5(1)(e) storage limitation: three years of losses are enough to analyse "
                       "attrition by type and reason and to win customers back.",
    },
}


def seed(apps, schema_editor):
    model = apps.get_model("privacy", "RetentionPolicy")
    for key, values in POLICIES.items():
        model.objects.get_or_create(key=key, defaults=values)


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key__in=list(POLICIES)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("attrition", "0001_initial"),
        ("privacy", "0007_retention_snapshot_month"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
