"""Each index entry carries its story's language, so each edition's search finds its own stories.

Filled from the stories in place; ``masthead rebuild_search_index`` writes the same.
"""

from django.db import migrations

SQLITE = [
    "ALTER TABLE search_entry ADD COLUMN language varchar(8) NOT NULL DEFAULT 'en'",
    "UPDATE search_entry SET language = (SELECT a.language FROM news_article a WHERE a.id = search_entry.article_id) "
    "WHERE article_id IN (SELECT id FROM news_article WHERE language <> 'en')",
]
SQLITE_BACK = ["ALTER TABLE search_entry DROP COLUMN language"]
POSTGRESQL = [
    "ALTER TABLE search_document ADD COLUMN language varchar(8) NOT NULL DEFAULT 'en'",
    "UPDATE search_document d SET language = a.language FROM news_article a WHERE a.id = d.article_id AND a.language <> 'en'",
]
POSTGRESQL_BACK = ["ALTER TABLE search_document DROP COLUMN language"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"Masthead search supports SQLite and PostgreSQL, not {vendor}.")
        with schema_editor.connection.cursor() as cursor:
            for statement in statements_by_vendor[vendor]:
                cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_postgresql_lead"), ("news", "0001_initial")]
    operations = [migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
                                       _run({"sqlite": SQLITE_BACK, "postgresql": POSTGRESQL_BACK}))]
