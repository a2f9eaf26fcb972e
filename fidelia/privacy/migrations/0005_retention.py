"""The retention register, its change history and the runs of the retention job, seeded with the
CNIL defaults (référentiel « gestion commerciale », 2021; Code de commerce; Code civil)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The values are copied here, not imported, so that this migration stays what it was when written.
CNIL_DEFAULTS = [
    # key, purpose, duration, unit, start, action, minimum (months), legal basis
    ("prospects", "Prospects: identity and contact data used for prospecting", 36, "months", "last_inbound",
     "anonymise", None,
     "CNIL, référentiel gestion commerciale: 3 years from the last contact coming from the prospect "
     "(a reply, a click, a visit; an e-mail open does not count). Before the end of the period the "
     "prospect may be asked to consent again; without an answer the data is anonymised."),
    ("customers_prospecting", "Customers: data used for prospecting after the relationship ends", 36, "months",
     "relationship_end", "anonymise", None,
     "CNIL, référentiel gestion commerciale: 3 years from the end of the business relationship "
     "(last contract ended, last purchase, last contact coming from the customer)."),
    ("contract_archive", "Contracts: active base for the contract's life, then intermediate archiving", 0,
     "days", "contract_end", "archive", None,
     "Kept in the active base while the contract runs; once it has ended it moves to intermediate "
     "archiving, readable by the DPO only (CNIL, durées de conservation)."),
    ("contracts", "Contracts: intermediate archive (proof of the contract)", 60, "months", "contract_end",
     "delete", 60, "Code civil art. 2224 and Code de commerce L110-4: 5-year limitation period."),
    ("transactions", "Invoices and transactions (accounting records)", 120, "months", "transaction_date",
     "delete", 120, "Code de commerce art. L123-22: accounting records and vouchers are kept 10 years."),
    ("user_accounts", "Staff user accounts without sign-in", 24, "months", "last_sign_in", "deactivate", None,
     "CNIL: an account unused for 2 years is deactivated, then its identity is anonymised."),
    ("security_logs", "Security and access logs (audit log)", 12, "months", "event_date", "delete", 6,
     "CNIL recommendation on logging (2021): 6 months to 1 year."),
    ("suppression_list", "Suppression list (objections to prospecting)", 36, "months", "listed_on", "delete",
     36, "CNIL: an objection is kept at least 3 years so that the person is never contacted again."),
]


def seed(apps, schema_editor):
    policy = apps.get_model("privacy", "RetentionPolicy")
    for key, purpose, duration, unit, start, action, minimum, basis in CNIL_DEFAULTS:
        policy.objects.get_or_create(key=key, defaults={
            "purpose": purpose, "duration": duration, "duration_unit": unit, "start_event": start,
            "action": action, "minimum_months": minimum, "legal_basis": basis})


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPolicy").objects.filter(key__in=[row[0] for row in CNIL_DEFAULTS]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('privacy', '0004_subject_requests_suppression'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RetentionPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='version')),
                ('key', models.SlugField(max_length=40, unique=True, verbose_name='key')),
                ('purpose', models.CharField(max_length=200, verbose_name='data and purpose')),
                ('duration', models.PositiveIntegerField(verbose_name='duration')),
                ('duration_unit', models.CharField(choices=[('months', 'months'), ('days', 'days')], default='months', max_length=6, verbose_name='unit')),
                ('start_event', models.CharField(choices=[('last_inbound', 'last contact coming from the person'), ('relationship_end', 'end of the business relationship'), ('contract_end', 'end of the contract'), ('transaction_date', 'date of the transaction'), ('last_sign_in', 'last sign-in'), ('event_date', 'date of the logged event'), ('listed_on', 'date of listing')], max_length=20, verbose_name='counted from')),
                ('action', models.CharField(choices=[('anonymise', 'anonymise'), ('archive', 'archive (restricted access)'), ('delete', 'delete'), ('reconsent', 'ask for consent again'), ('deactivate', 'deactivate and anonymise')], max_length=12, verbose_name='then')),
                ('minimum_months', models.PositiveIntegerField(blank=True, help_text='A legal minimum: the duration cannot be set below it.', null=True, verbose_name='minimum (months)')),
                ('legal_basis', models.TextField(blank=True, verbose_name='legal basis and reference')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by')),
            ],
            options={
                'verbose_name': 'retention policy',
                'verbose_name_plural': 'retention register',
                'ordering': ['key'],
            },
        ),
        migrations.CreateModel(
            name='RetentionPolicyChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='at')),
                ('field', models.CharField(max_length=40, verbose_name='field')),
                ('old', models.CharField(blank=True, max_length=200, verbose_name='old value')),
                ('new', models.CharField(blank=True, max_length=200, verbose_name='new value')),
                ('reason', models.TextField(verbose_name='reason')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('policy', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='changes', to='privacy.retentionpolicy')),
            ],
            options={
                'verbose_name': 'retention policy change',
                'verbose_name_plural': 'retention policy changes',
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='RetentionRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(db_index=True, verbose_name='started at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('dry_run', models.BooleanField(default=True, verbose_name='dry run')),
                ('trigger', models.CharField(blank=True, max_length=20, verbose_name='trigger')),
                ('counts', models.JSONField(blank=True, default=dict, verbose_name='counts per policy')),
                ('report', models.TextField(blank=True, verbose_name='report')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='started by')),
            ],
            options={
                'verbose_name': 'retention run',
                'verbose_name_plural': 'retention runs',
                'ordering': ['-started_at', '-id'],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]
