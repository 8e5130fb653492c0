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


def _plans(read) -> list[str]:
    """The plans of the queries of stories that ``read`` asks."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        read()
    plans = []
    with connection.cursor() as cursor:
        for query in (q for q in captured.captured_queries if '"news_article"' in q["sql"]):
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"].replace("%", "%%"))
            plans.append("\n".join(row[-1] for row in cursor.fetchall()))
    return plans


@pytest.mark.sqlite_only
def test_the_home_pages_lists_each_seek_through_their_index():
    """One branch per list in the home page's one statement, each read newest first through its index."""
    from django.utils import timezone

    from masthead.news import storypage
    from tests.news.factories import make_section

    sections = [make_section(), make_section()]
    (plan,) = _plans(lambda: storypage.newest(sections, at=timezone.now(), language="en", size=5))
    assert plan.count("USING INDEX article_visible") == 1, plan
    assert plan.count("USING INDEX article_section_visible") == 2, plan
    assert "SCAN a" not in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.sqlite_only
def test_a_sections_later_page_is_read_in_index_order():
    """A section's page from a cursor is read through the section's index in its order: no sort of the section's stories."""
    from datetime import timedelta

    from django.utils import timezone

    from masthead.news import storypage
    from tests.news.factories import make_section

    section, now = make_section(), timezone.now()
    read = storypage.in_section(section, at=now, language="en")
    (plan,) = _plans(lambda: read((now - timedelta(days=30), 5), older=True, limit=21))
    assert "USING INDEX article_section_visible (section_id=? AND status=? AND published_at<?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
