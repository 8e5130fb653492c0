"""Queries on every page find their rows through the right index, whatever the archive's size.

SQLite without statistics (a new database, before ANALYZE) picks an index by its own rules;
these queries are written so that its choice is the cheap one.
"""

import pytest
from django.db import connection

from masthead.news.models import Article

pytestmark = pytest.mark.django_db


@pytest.mark.sqlite_only
def test_breaking_banner_does_not_walk_every_visible_story():
    """The home page's breaking-news query starts from the few flagged stories (it took 0.5 s at 300,000 stories)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        Article.objects.breaking_story()
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + query["sql"].replace("%", "%%"))
        plan = "\n".join(row[-1] for row in cursor.fetchall())
    assert "article_breaking" in plan, plan
    assert "article_visible" not in plan, plan


def test_breaking_story_is_the_newest_visible_flagged_one():
    from datetime import timedelta

    from django.utils import timezone

    from tests.news.factories import make_article

    soon, now = timezone.now() + timedelta(hours=1), timezone.now()
    older = make_article(breaking_until=soon, published_at=now - timedelta(hours=2))
    newer = make_article(breaking_until=soon, published_at=now - timedelta(hours=1))
    make_article(breaking_until=soon, published_at=now + timedelta(hours=1))  # scheduled: not yet
    make_article(breaking_until=soon, status="draft")
    make_article(breaking_until=now - timedelta(minutes=1))  # expired
    assert Article.objects.breaking_story() == newer == Article.objects.breaking().first()
    newer.status = "unpublished"
    newer.save()
    assert Article.objects.breaking_story() == older
