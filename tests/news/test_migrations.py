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
