"""Default pipeline stages with their probabilities, common lost reasons, and the `sales_leads` line of
the retention register (unconverted leads: 36 months from the last contact, like prospects)."""

from django.db import migrations

STAGES = [
    ("qualification", "Qualification", 10, 10, "open"),
    ("needs_analysis", "Needs analysis", 20, 30, "open"),
    ("proposal", "Proposal", 30, 50, "open"),
    ("negotiation", "Negotiation", 40, 75, "open"),
    ("won", "Won", 90, 100, "won"),
    ("lost", "Lost", 100, 0, "lost"),
]
LOST_REASONS = ["Price too high", "Chose a competitor", "No budget", "No decision / project abandoned",
                "Product not suited", "No answer from the customer"]
POLICY = {
    "purpose": "Leads never converted into a customer file: identity, contact data and message",
    "duration": 36, "duration_unit": "months", "start_event": "last_inbound", "action": "delete",
    "legal_basis": "CNIL, référentiel gestion commerciale: like prospects, 3 years from the last contact "
                   "coming from the person; converted leads follow the customer file.",
}


def seed(apps, schema_editor):
    stage = apps.get_model("sales", "PipelineStage")
    for code, name, position, probability, outcome in STAGES:
        stage.objects.get_or_create(code=code, defaults={"name": name, "position": position,
                                                         "probability": probability, "outcome": outcome})
    reason = apps.get_model("sales", "LostReason")
    for label in LOST_REASONS:
        reason.objects.get_or_create(label=label)
    apps.get_model("privacy", "RetentionPolicy").objects.get_or_create(key="sales_leads", defaults=POLICY)


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key="sales_leads").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("sales", "0003_pipeline"),
        ("privacy", "0007_retention_snapshot_month"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
