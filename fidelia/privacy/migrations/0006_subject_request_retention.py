"""Data-subject requests get their own retention policy: proof of the answer, deleted 5 years after closing."""

from django.db import migrations, models


POLICY = {
    "purpose": "Data-subject requests and how they were answered",
    "duration": 60, "duration_unit": "months", "start_event": "request_closed", "action": "delete",
    "minimum_months": 12,
    "legal_basis": "GDPR art. 5(2) accountability: proof of each answer, kept for the 5-year limitation period "
                   "(Code civil art. 2224) after the request is closed.",
}


def seed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.get_or_create(key="subject_requests", defaults=POLICY)


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key="subject_requests").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('privacy', '0005_retention'),
    ]

    operations = [
        migrations.AlterField(
            model_name='retentionpolicy',
            name='start_event',
            field=models.CharField(choices=[('last_inbound', 'last contact coming from the person'), ('relationship_end', 'end of the business relationship'), ('contract_end', 'end of the contract'), ('transaction_date', 'date of the transaction'), ('last_sign_in', 'last sign-in'), ('event_date', 'date of the logged event'), ('listed_on', 'date of listing'), ('request_closed', 'closing of the request')], max_length=20, verbose_name='counted from'),
        ),
        migrations.RunPython(seed, unseed),
    ]
