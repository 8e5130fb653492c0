"""Times written for machines are UTC in whole seconds, from one helper (house.machine), everywhere."""

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from lxml import html

from masthead import house
from masthead.news.models import Article, Correction
from tests.news.factories import make_article, make_section

pytestmark = pytest.mark.django_db

WHOLE_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_machine_time_is_utc_in_whole_seconds():
    moment = datetime(2026, 12, 1, 22, 49, 41, 221677, tzinfo=timezone(timedelta(hours=3, minutes=30)))
    assert house.machine(moment) == "2026-12-01T19:19:41Z"


def test_machine_time_refuses_a_time_without_a_zone():
    with pytest.raises(ValueError, match="has no time zone: Masthead stores and shows aware UTC times"):
        house.machine(datetime(2026, 12, 1, 22, 49, 41))


@pytest.fixture
def story():
    """A story published, updated and corrected at times with microseconds."""
    published = datetime(2026, 12, 1, 22, 49, 41, 221677, tzinfo=timezone.utc)
    found = make_article(section=make_section(slug="politics"), published_at=published)
    Article.objects.filter(pk=found.pk).update(updated_at=published + timedelta(days=1, microseconds=5))
    Correction.objects.create(article=found, text="An earlier version misspelt a name.")
    return Article.objects.get(pk=found.pk)


def _page(client, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    return html.fromstring(response.content)


def test_every_time_element_on_reader_pages_is_whole_seconds(client, story):
    """<time datetime="…221677+00:00"> failed the Nu Html Checker on every article page."""
    seen = []
    for url in (story.get_absolute_url(), "/", "/section/politics/", "/corrections/", "/search/?q=story"):
        seen += [(url, value) for value in _page(client, url).xpath("//time/@datetime")]
    assert seen and all(WHOLE_SECONDS.match(value) for _, value in seen), seen
    assert (story.get_absolute_url(), "2026-12-01T22:49:41Z") in seen


def test_json_ld_and_meta_tags_are_whole_seconds(client, story):
    page = _page(client, story.get_absolute_url())
    data = json.loads(page.xpath("//script[@type='application/ld+json']/text()")[0])
    articles = [item for item in (data if isinstance(data, list) else data.get("@graph", [data]))
                if item.get("@type") == "NewsArticle"]
    assert articles[0]["datePublished"] == "2026-12-01T22:49:41Z"
    assert WHOLE_SECONDS.match(articles[0]["dateModified"])
    meta = page.xpath("//meta[@property='article:published_time']/@content")
    assert meta == ["2026-12-01T22:49:41Z"]


def test_feeds_and_the_api_write_whole_seconds(client, story):
    item = client.get("/feeds/json/").json()["items"][0]
    assert item["date_published"] == "2026-12-01T22:49:41Z" and WHOLE_SECONDS.match(item["date_modified"])
    ninjs = client.get(f"/api/v1/articles/{story.pk}").json()
    assert ninjs["firstcreated"] == "2026-12-01T22:49:41Z" and WHOLE_SECONDS.match(ninjs["versioncreated"])
