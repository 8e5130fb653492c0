"""The search index, in the form of the database at hand: FTS5 tables on SQLite, a tsvector table on PostgreSQL.

None is a Django model: the FTS5 table is a virtual table, and all are written and read only by
their backend's SQL. A story's entry goes when the story is deleted (a trigger, for tidiness:
stories shown are read through ``Article.objects.visible()``, so a stale entry can never show
one). Fill the index with ``masthead rebuild_search_index``.
"""

from django.db import migrations

from masthead.search.backends.sqlite import TOKENIZER, require_fts5

SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(headline, standfirst, body, labels, "
    f"tokenize = '{TOKENIZER}')",
    "CREATE TABLE search_entry (article_id integer PRIMARY KEY, published_at datetime NOT NULL, "
    "section_id integer NOT NULL)",
    "CREATE TRIGGER search_fts_article_deleted AFTER DELETE ON news_article "
    "BEGIN DELETE FROM search_fts WHERE rowid = old.id; DELETE FROM search_entry WHERE article_id = old.id; END",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS search_fts_article_deleted", "DROP TABLE IF EXISTS search_entry",
               "DROP TABLE IF EXISTS search_fts"]

# No foreign key to news_article: the test runner empties tables with TRUNCATE, which a
# reference would refuse. The trigger does what ON DELETE CASCADE would.
# search_document is kept narrow, its tsvector out of line (toast_tuple_target, STORAGE EXTERNAL):
# a common word's matches are read from the heap by the thousand, and only a page's worth of
# vectors is ever read, uncompressed, for ranking. The text for snippets is a table apart.
POSTGRESQL = [
    "CREATE TABLE search_document (article_id bigint PRIMARY KEY, published_at timestamptz NOT NULL, "
    "section_id bigint NOT NULL, document tsvector NOT NULL) WITH (toast_tuple_target = 128)",
    "ALTER TABLE search_document ALTER COLUMN document SET STORAGE EXTERNAL",
    "CREATE INDEX search_document_gin ON search_document USING gin (document)",
    "CREATE TABLE search_text (article_id bigint PRIMARY KEY, standfirst text NOT NULL, body text NOT NULL)",
    "CREATE FUNCTION search_document_article_deleted() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN DELETE FROM search_document WHERE article_id = OLD.id; DELETE FROM search_text WHERE article_id = OLD.id; "
    "RETURN OLD; END $$",
    "CREATE TRIGGER search_document_article_deleted AFTER DELETE ON news_article "
    "FOR EACH ROW EXECUTE FUNCTION search_document_article_deleted()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS search_document_article_deleted ON news_article",
    "DROP FUNCTION IF EXISTS search_document_article_deleted()",
    "DROP TABLE IF EXISTS search_text",
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
