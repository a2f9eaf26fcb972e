"""Two lines of the retention register: retention efforts (3 years) and stale customer values (2 years)."""

from django.db import migrations

POLICIES = {
    "clv_retention_effort": {
        "purpose": "Retention efforts spent on a customer (gifts, discounts) for the customer capital",
        "duration": 36, "duration_unit": "months", "start_event": "event_date", "action": "delete",
        "legal_basis": "GDPR art. 5(1)(e): the capital subtracts the last 12 months of effort; three years "
                       "keep the comparison between years, older efforts no longer serve a purpose.",
    },
    "clv_customer_value": {
        "purpose": "Computed lifetime value, probability of being active and capital of each customer",
        "duration": 24, "duration_unit": "months", "start_event": "event_date", "action": "delete",
        "legal_basis": "GDPR art. 5(1)(e): a value not recomputed for two years (customer without purchases "
                       "since) is stale and is deleted; it can be recomputed from the transactions.",
    },
}


def seed(apps, schema_editor):
    Policy = apps.get_model("privacy", "RetentionPolicy")
    for key, defaults in POLICIES.items():
        Policy.objects.get_or_create(key=key, defaults=defaults)


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key__in=list(POLICIES)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("clv", "0001_initial"),
        ("privacy", "0007_retention_snapshot_month"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
