import pytest

from masthead.news import rows
from masthead.news.models import Article
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db


def test_rows_convert_values_as_the_orm_does():
    """Aware datetimes, decoded JSON and the rest: the same instance the ORM builds."""
    story = make_article(kicker="Tehran talks")
    columns = [f.column for f in Article._meta.concrete_fields]
    (found,) = rows.fetch(Article, f'SELECT {", ".join(columns)} FROM "news_article" WHERE "id" = %s', [story.pk])
    expected = Article.objects.get(pk=story.pk)
    assert {c: getattr(found, c) for c in columns} == {c: getattr(expected, c) for c in columns}
    assert found.published_at.tzinfo is not None and isinstance(found.related_ids, list)
    assert found._state.adding is False and found._state.db == "default"


def test_columns_left_out_are_deferred_and_extras_become_attributes():
    story = make_article(body="First paragraph.")
    (found,) = rows.fetch(Article, 'SELECT "id", "headline", 42 AS "answer" FROM "news_article" WHERE "id" = %s', [story.pk])
    assert found.headline == story.headline and found.answer == 42
    assert "body" in found.get_deferred_fields()
    assert found.body == "First paragraph."  # read when asked for, as with a deferred field


def test_no_rows_and_rows_without_a_key():
    assert rows.fetch(Article, 'SELECT "id" FROM "news_article" WHERE "id" = %s', [999_999]) == []
    make_article()
    with pytest.raises(ValueError, match="Article rows need the primary key column 'id'"):
        rows.fetch(Article, 'SELECT "headline" FROM "news_article"')
