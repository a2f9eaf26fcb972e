"""The built-in action rules of the course, and the closed_actions line of the retention register."""

from django.db import migrations

from fidelia.actions.builtin_rules import BUILTIN_RULES

POLICY = {
    "purpose": "Closed actions to take (done, dismissed, expired): why the customer was contacted and the outcome",
    "duration": 24, "duration_unit": "months", "start_event": "request_closed", "action": "delete",
    "legal_basis": "GDPR art. 5(1)(e) storage limitation: two years of closed actions are enough to measure "
                   "follow-up and not to propose the same thing again; the contacts themselves stay in the timeline.",
}


def seed(apps, schema_editor):
    Rule = apps.get_model("actions", "ActionRule")
    for data in BUILTIN_RULES:
        Rule.objects.get_or_create(key=data["key"], defaults={**data, "builtin": True})
    apps.get_model("privacy", "RetentionPolicy").objects.get_or_create(key="closed_actions", defaults=POLICY)


def unseed(apps, schema_editor):
    apps.get_model("actions", "ActionRule").objects.filter(builtin=True).delete()
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key="closed_actions").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("actions", "0002_rules"),
        ("privacy", "0007_retention_snapshot_month"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
