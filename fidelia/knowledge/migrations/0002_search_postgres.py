"""PostgreSQL full text for articles: unaccent, the fidelia_fr / fidelia_en configurations (Snowball
stemming after accent folding) and a GIN index on the stored vector. Nothing on SQLite, which
searches the stored `search_text` column instead."""

from django.db import migrations

CONFIGS = {"fidelia_fr": "french", "fidelia_en": "english"}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        for name, base in CONFIGS.items():
            cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {base})")
                cursor.execute(f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR hword, hword_part, word "
                               f"WITH unaccent, {base}_stem")
        cursor.execute("CREATE INDEX IF NOT EXISTS knowledge_article_search_gin "
                       "ON knowledge_article USING gin (search_vector)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS knowledge_article_search_gin")


class Migration(migrations.Migration):

    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
