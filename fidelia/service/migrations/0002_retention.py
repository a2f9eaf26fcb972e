"""The retention lines of customer service: closed cases anonymised after 5 years, raw inbound e-mails
deleted after 12 months."""

from django.db import migrations

POLICIES = {
    "service_cases": {
        "purpose": "Requests and complaints with their messages and internal notes (customer service)",
        "duration": 60, "duration_unit": "months", "start_event": "request_closed", "action": "anonymise",
        "legal_basis": "Code civil art. 2224: contractual claims are time-barred after five years; a complaint "
                       "and our answer may be evidence until then. The content is then anonymised; dates, "
                       "category and SLA figures stay for the service statistics.",
    },
    "service_inbound_raw": {
        "purpose": "Raw inbound e-mails received by the service desk (audit of what arrived, quarantine)",
        "duration": 12, "duration_unit": "months", "start_event": "event_date", "action": "delete",
        "legal_basis": "GDPR art. 5(1)(c) and (e), data minimisation and storage limitation: the text already "
                       "lives in the case; one year covers the audit of rejected or quarantined messages.",
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
        ("service", "0001_initial"),
        ("privacy", "0007_retention_snapshot_month"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
