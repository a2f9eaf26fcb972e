"""The loyalty_members line of the retention register: a membership without any points movement for
36 months is deleted with its ledger."""

from django.db import migrations

POLICY = {
    "purpose": "Loyalty programme memberships, points ledger, redemptions, referrals",
    "duration": 36, "duration_unit": "months", "start_event": "relationship_end", "action": "delete",
    "legal_basis": "Contract (GDPR art. 6(1)(b)): the programme's terms; art. 5(1)(e): three years without "
                   "earning or spending a point end the relationship; purchases stay in sales for accounting.",
}


def seed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.get_or_create(key="loyalty_members", defaults=POLICY)


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key="loyalty_members").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("loyalty", "0002_ledger_append_only"),
        ("privacy", "0007_retention_snapshot_month"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
