"""The search index, in the form of the database at hand: an FTS5 table on SQLite, a tsvector table on PostgreSQL.

Neither is a Django model: the FTS5 table is a virtual table, and both are written and read only
by their backend's SQL. Each is emptied when a story is deleted (a trigger); queries also join
``news_article``, so a stale row can never show a story. Fill it with ``masthead rebuild_search_index``.
"""

from django.db import migrations

from masthead.search.backends.sqlite import TOKENIZER, require_fts5

SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(headline, standfirst, body, labels, "
    f"tokenize = '{TOKENIZER}')",
    "CREATE TRIGGER search_fts_article_deleted AFTER DELETE ON news_article "
    "BEGIN DELETE FROM search_fts WHERE rowid = old.id; END",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS search_fts_article_deleted", "DROP TABLE IF EXISTS search_fts"]

# No foreign key to news_article: the test runner empties tables with TRUNCATE, which a
# reference would refuse. The trigger does what ON DELETE CASCADE would.
POSTGRESQL = [
    "CREATE TABLE search_document (article_id bigint PRIMARY KEY, document tsvector NOT NULL, "
    "standfirst text NOT NULL, body text NOT NULL)",
    "CREATE INDEX search_document_gin ON search_document USING gin (document)",
    "CREATE FUNCTION search_document_article_deleted() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN DELETE FROM search_document WHERE article_id = OLD.id; RETURN OLD; END $$",
    "CREATE TRIGGER search_document_article_deleted AFTER DELETE ON news_article "
    "FOR EACH ROW EXECUTE FUNCTION search_document_article_deleted()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS search_document_article_deleted ON news_article",
    "DROP FUNCTION IF EXISTS search_document_article_deleted()",
    "DROP TABLE IF EXISTS search_document",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"Masthead search supports SQLite and PostgreSQL, not {vendor}.")
        with schema_editor.connection.cursor() as cursor:
            if vendor == "sqlite" and statements_by_vendor is FORWARD:
                require_fts5(cursor)
            for statement in statements_by_vendor[vendor]:
                cursor.execute(statement)

    return run


FORWARD = {"sqlite": SQLITE, "postgresql": POSTGRESQL}
BACKWARD = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}


class Migration(migrations.Migration):
    initial = True
    dependencies = [("news", "0001_initial")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
