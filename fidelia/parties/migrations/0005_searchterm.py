from django.db import migrations, models


def _pg(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return apply


def fill(apps, schema_editor):
    from fidelia.parties.vocabulary import vocabulary_rebuild

    vocabulary_rebuild(using=schema_editor.connection.alias, party_model=apps.get_model("parties", "Party"),
                       term_model=apps.get_model("parties", "SearchTerm"))


class Migration(migrations.Migration):
    dependencies = [("parties", "0004_erased_at")]
    operations = [
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=100)),
                ("phrase", models.CharField(max_length=100)),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("key", "phrase"), name="parties_searchterm_unique")]},
        ),
        migrations.RunPython(
            _pg("CREATE INDEX IF NOT EXISTS parties_searchterm_key_trgm ON parties_searchterm USING gin (key gin_trgm_ops)"),
            _pg("DROP INDEX IF EXISTS parties_searchterm_key_trgm"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
