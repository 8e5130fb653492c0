"""PostgreSQL: each story's pairs of words side by side, indexed, for phrases.

The search index knows which stories hold a word, not where: a phrase of common words had every
story holding all of them read and tested, at 1,000,000 stories up to 100,000 vectors (about a
second a search). ``search_text.pairs`` holds the pairs of words each entry's vector holds side by
side (as ``'a' <-> 'b'`` finds them), each as a number (``search.backends.postgresql.pair``), under
a GIN index, so that a phrase reads only the stories holding its pairs, and those without pairs yet.

New entries get theirs from the search backend. Those already there get theirs from their vectors
(``search_pairs``, which gives the same numbers), in batches that each commit, so that saves go on:
here the newest 100,000 (about 5 minutes), the rest by ``masthead refresh_search_window`` (the
daily command; about 3 ms an entry). Until few are left without, phrases are found as before.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION search_pairs(document tsvector) RETURNS int[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT ('x' || left(md5(first.lexeme || ' ' || second.lexeme), 5))::bit(20)::int), '{}')
  FROM (SELECT lexeme, unnest(positions) AS at FROM unnest(document)) first
  JOIN (SELECT lexeme, unnest(positions) AS at FROM unnest(document)) second ON second.at = first.at + 1
$$
"""
# Where a concurrent build was interrupted, the invalid index it left is dropped and made again.
INDEXES = {
    "search_text_pairs": "ON search_text USING gin (pairs) WITH (fastupdate = off)",
    "search_text_unpaired": "ON search_text (article_id) WHERE pairs IS NULL",
}
NOW = 100_000


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from masthead.search.backends.postgresql import Backend

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        cursor.execute("ALTER TABLE search_text ADD COLUMN IF NOT EXISTS pairs int[]")
        for name, definition in INDEXES.items():
            cursor.execute("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name])
            if (cursor.fetchone() or [False])[0]:
                cursor.execute(f"DROP INDEX {name}")
            cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} {definition}")
    Backend(schema_editor.connection).pair_entries(at_most=NOW)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute("ALTER TABLE search_text DROP COLUMN IF EXISTS pairs")
        cursor.execute("DROP FUNCTION IF EXISTS search_pairs(tsvector)")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("search", "0006_postgresql_gin_direct")]
    operations = [migrations.RunPython(forwards, backwards)]
