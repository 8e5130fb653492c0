from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.news import listing
from tests.news.factories import make_article, make_section

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("direction", ["before", "after"])
def test_a_page_seeks_by_its_cursor_before_filtering_by_visibility(client, direction):
    """The cursor's bound leads the WHERE clause, so SQLite's index range starts at the cursor.

    Behind the visibility bound it only filtered, and page 1,000 read 20,000 index entries.
    """
    section = make_section()
    now = timezone.now()
    stories = [make_article(section=section, published_at=now - timedelta(hours=n)) for n in range(1, 4)]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{section.get_absolute_url()}?{direction}={listing.cursor(stories[1])}")
    assert response.status_code == 200
    assert stories[2 if direction == "before" else 0].headline in response.content.decode()
    sql = next(q["sql"] for q in captured if "ORDER BY" in q["sql"] and "NOT (" in q["sql"])
    where = sql[sql.index(" WHERE "):]
    assert where.index("NOT (") < where.index('"status"')
