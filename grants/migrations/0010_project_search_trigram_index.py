"""A trigram index for the projects table's search, on PostgreSQL.

The search looks for each word anywhere in ``ProjectSummary.search_text``
(``LIKE '%WORD%'``), which no B-tree index can serve; pg_trgm's GIN index can, so
a search of 100,000 projects reads a few index pages instead of every row. pg_trgm
ships with PostgreSQL and is a trusted extension (PostgreSQL 13 and later): the
owner of the database can create it. SQLite has no such index and scans the one
narrow column.
"""

from django.db import migrations

INDEX = "summary_search_trigram"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON grants_projectsummary "
        f"USING gin (search_text gin_trgm_ops)"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("grants", "0009_project_summary_rows_and_schedule")]

    operations = [migrations.RunPython(create, remove)]
