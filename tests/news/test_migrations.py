"""The migration that cleans stored text takes out what is not text, and keeps everything else as it was."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from masthead.news.models import Article, Tag
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)
CLEANING = ("news", "0004_stories_clean_text")


def test_the_cleaning_migration_strips_control_characters_and_reverses_as_a_no_op():
    story = make_article(headline="Leave the region", body="Clean body.")
    Article.objects.filter(pk=story.pk).update(headline="Leave\x01 the\x9b region\ufffe", summary="Tab\tand\nnewline stay.")
    Tag.objects.create(name="Ira\x08q", slug="iraq")
    executor = MigrationExecutor(connection)
    executor.migrate([("news", "0003_headline_words")])  # back: nothing restored, nothing lost
    assert Article.objects.get(pk=story.pk).headline == "Leave\x01 the\x9b region\ufffe"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    cleaned = Article.objects.get(pk=story.pk)
    assert (cleaned.headline, cleaned.summary, cleaned.body) == ("Leave the region", "Tab\tand\nnewline stay.", "Clean body.")
    assert Tag.objects.get(slug="iraq").name == "Iraq"


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {name for name, found in connection.introspection.get_constraints(cursor, table).items() if found["index"]}


def test_the_newsroom_list_indexes_come_and_go_with_their_migration():
    """0007 adds the section-state-id index and the author-stories index; going back drops both."""
    added = {"article_section_state_id"}, {"news_article_authors_author_article"}
    assert added[0] <= _indexes("news_article") and added[1] <= _indexes("news_article_authors")
    executor = MigrationExecutor(connection)
    executor.migrate([("news", "0006_desk_story_names")])
    assert not added[0] & _indexes("news_article") and not added[1] & _indexes("news_article_authors")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert added[0] <= _indexes("news_article") and added[1] <= _indexes("news_article_authors")


def test_the_date_index_and_the_headline_word_statistics_come_and_go_with_their_migrations():
    """0010 adds article_published (the newsroom's date filter); 0011 gives PostgreSQL a thousand common headline
    words and histogram buckets to plan a headline search by. Going back drops the index and the setting."""

    def target() -> int | None:
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT attstattarget FROM pg_attribute WHERE attrelid = 'news_headlineword'::regclass "
                           "AND attname = 'word'")
            return cursor.fetchone()[0]

    def migrated(name: str) -> None:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([("news", name)] if name else executor.loader.graph.leaf_nodes())

    finer = 1000 if connection.vendor == "postgresql" else None
    default = -1 if connection.vendor == "postgresql" else None
    assert "article_published" in _indexes("news_article") and target() == finer
    migrated("0010_newsroom_date_index")
    assert "article_published" in _indexes("news_article") and target() == default
    migrated("0009_drop_article_status_id")
    assert "article_published" not in _indexes("news_article")
    migrated("")
    assert "article_published" in _indexes("news_article") and target() == finer
