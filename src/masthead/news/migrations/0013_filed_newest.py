"""Each story's tag and author rows carry its publication time, indexed per tag and per author.

A tag's page (or an author's) asked for the newest visible stories joined to the tag's rows, and
the planner walked the stories newest first, testing each for the tag: at 1,000,000 stories, a
tag whose 770 stories were all years old read 950,000 stories first (4 s for its page, and 7 s
for each save of one of them, which chooses its related stories the same way). With the time in
the tag's own rows, under an index (tag, published_at, story), the newest are read from the
tag's end of that index, however old they are.

The time is kept by triggers on both databases, so every way of writing stories and their tags
(the story service, imports by ``COPY``, the admin, SQL) keeps it: a tag or author row takes its
story's time when written, and a story's rows take its new time when it changes.
"""

from django.db import migrations

LINKS = (("news_article_tags", "tag_id"), ("news_article_authors", "author_id"))


def _sqlite(table: str, column: str) -> list[str]:
    return [
        f'ALTER TABLE "{table}" ADD COLUMN "published_at" datetime NULL',
        f'UPDATE "{table}" SET "published_at" = (SELECT "published_at" FROM "news_article" WHERE "id" = "{table}"."article_id")',
        f'CREATE INDEX "{table}_newest" ON "{table}" ("{column}", "published_at", "article_id")',
        f'CREATE TRIGGER "{table}_timed" AFTER INSERT ON "{table}" BEGIN UPDATE "{table}" SET "published_at" = '
        f'(SELECT "published_at" FROM "news_article" WHERE "id" = NEW."article_id") WHERE "id" = NEW."id"; END',
        f'CREATE TRIGGER "{table}_retimed" AFTER UPDATE OF "published_at" ON "news_article" '
        f'WHEN OLD."published_at" IS NOT NEW."published_at" BEGIN '
        f'UPDATE "{table}" SET "published_at" = NEW."published_at" WHERE "article_id" = NEW."id"; END',
        f'CREATE TRIGGER "{table}_story_timed" AFTER INSERT ON "news_article" BEGIN '
        f'UPDATE "{table}" SET "published_at" = NEW."published_at" WHERE "article_id" = NEW."id"; END',
    ]


def _postgresql(table: str, column: str) -> list[str]:
    return [
        f'ALTER TABLE "{table}" ADD COLUMN "published_at" timestamptz NULL',
        f'UPDATE "{table}" x SET "published_at" = a."published_at" FROM "news_article" a WHERE a."id" = x."article_id"',
        f'CREATE INDEX "{table}_newest" ON "{table}" ("{column}", "published_at", "article_id")',
        f'CREATE FUNCTION "{table}_timed"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
        f'NEW."published_at" := (SELECT "published_at" FROM "news_article" WHERE "id" = NEW."article_id"); RETURN NEW; END $$',
        f'CREATE TRIGGER "{table}_timed" BEFORE INSERT OR UPDATE OF "article_id" ON "{table}" '
        f'FOR EACH ROW EXECUTE FUNCTION "{table}_timed"()',
        f'CREATE FUNCTION "{table}_retimed"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
        f'UPDATE "{table}" SET "published_at" = NEW."published_at" WHERE "article_id" = NEW."id"; RETURN NULL; END $$',
        f'CREATE TRIGGER "{table}_retimed" AFTER UPDATE OF "published_at" ON "news_article" FOR EACH ROW '
        f'WHEN (OLD."published_at" IS DISTINCT FROM NEW."published_at") EXECUTE FUNCTION "{table}_retimed"()',
        # A story written after its rows (keys are checked at commit): they take its time then.
        f'CREATE TRIGGER "{table}_story_timed" AFTER INSERT ON "news_article" FOR EACH ROW '
        f'EXECUTE FUNCTION "{table}_retimed"()',
    ]


def _back(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f'DROP TRIGGER "{table}_story_timed" ON "news_article"', f'DROP TRIGGER "{table}_retimed" ON "news_article"',
                f'DROP FUNCTION "{table}_retimed"() CASCADE', f'DROP FUNCTION "{table}_timed"() CASCADE',
                f'DROP INDEX "{table}_newest"', f'ALTER TABLE "{table}" DROP COLUMN "published_at"']
    return [f'DROP TRIGGER "{table}_story_timed"', f'DROP TRIGGER "{table}_retimed"', f'DROP TRIGGER "{table}_timed"',
            f'DROP INDEX "{table}_newest"', f'ALTER TABLE "{table}" DROP COLUMN "published_at"']


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    made = _postgresql if vendor == "postgresql" else _sqlite
    with schema_editor.connection.cursor() as cursor:
        for table, column in LINKS:
            for statement in made(table, column):
                cursor.execute(statement)


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table, _column in LINKS:
            for statement in _back(schema_editor.connection.vendor, table):
                cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("news", "0012_written_stories_index")]
    operations = [migrations.RunPython(forwards, backwards)]
