"""On PostgreSQL, trigram indexes make the name searches (``search_text LIKE '%…%'``) use
an index instead of reading every row; SQLite has no such index and reads the rows, which
is fast enough at the sizes an embedded database holds."""

from django.db import migrations

SEARCHED_TABLES = [
    "relations_partner",
    "relations_partneralias",
    "relations_person",
    "relations_institution",
    "relations_agreement",
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Not django.contrib.postgres's TrigramExtension: unapplied, it asks pg_extension even
    # on SQLite, and it would drop an extension other databases on the server may use.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in SEARCHED_TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm "
            f"ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SEARCHED_TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("relations", "0004_indexes_for_scale")]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
