"""Every date the newsroom shows is in the house style, including those Django's admin renders itself."""

from datetime import datetime, timezone as dt_timezone

import pytest
from django.utils import formats

from masthead import house
from masthead.news.models import Article
from tests.news.factories import make_section
from tests.newsroom.factories import make_user

pytestmark = pytest.mark.django_db


def test_djangos_date_formats_are_the_house_style():
    """The format Django uses for a date and time renders exactly what house.dateline and house.day write."""
    moment = datetime(2021, 4, 12, 5, 35, tzinfo=dt_timezone.utc)
    assert formats.date_format(moment, "DATETIME_FORMAT") == house.dateline(moment) == "0535 GMT April 12, 2021"
    assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "0535 GMT April 12, 2021"
    assert formats.date_format(moment.date(), "DATE_FORMAT") == house.day(moment) == "April 12, 2021"


def test_the_story_forms_read_only_times_and_its_history_are_in_house_style(client):
    """Created, updated and the history page read 0535 GMT April 12, 2021, never Dec. 2, 2026, 4:11 a.m."""
    from django.contrib.admin.models import LogEntry

    editor = make_user("editor")
    client.force_login(editor)
    client.post("/newsroom/news/article/add/", {
        "headline": "Rial steadies", "body": "The rial held.", "section": make_section().pk, "language": "en",
        "embargo_until_0": "", "embargo_until_1": ""})
    story = Article.objects.get()
    logged = LogEntry.objects.get().action_time
    for page, moment in ((f"/newsroom/news/article/{story.pk}/change/", story.created_at),
                         (f"/newsroom/news/article/{story.pk}/history/", logged)):
        html = client.get(page).content.decode()
        assert house.dateline(moment) in html, page
        assert " a.m." not in html and " p.m." not in html, page
