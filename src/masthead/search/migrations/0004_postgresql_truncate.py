"""PostgreSQL: emptying the stories' table (``TRUNCATE``, as ``masthead flush`` does) empties the search index too.

Each deleted story's entries already go with it (a row trigger, 0001); ``TRUNCATE`` fires no row
trigger, and left every entry behind, of stories that no longer exist. SQLite's flush deletes row
by row, which its own trigger follows.
"""

from django.db import migrations

POSTGRESQL = [
    "CREATE FUNCTION search_document_articles_emptied() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN TRUNCATE search_document, search_text; RETURN NULL; END $$",
    "CREATE TRIGGER search_document_articles_emptied AFTER TRUNCATE ON news_article "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_document_articles_emptied()",
]
POSTGRESQL_BACK = [
    "DROP TRIGGER IF EXISTS search_document_articles_emptied ON news_article",
    "DROP FUNCTION IF EXISTS search_document_articles_emptied()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_editions2_language")]
    operations = [migrations.RunPython(_run(POSTGRESQL), _run(POSTGRESQL_BACK))]
