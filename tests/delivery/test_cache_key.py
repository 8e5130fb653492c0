"""Pages are cached under their address and the parameters they read, within a byte budget."""

import pytest
from django.test import override_settings

from masthead.delivery import pagecache
from tests.news.factories import make_article, make_section

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_thousand_random_query_strings_do_not_grow_the_cache(client):
    """``/?cb=<n>`` shares the home page's entry: the cache holds one page whatever the visitor adds."""
    make_article(headline="Only story")
    client.get("/")
    before = pagecache.usage()
    for n in range(10_000):
        response = client.get(f"/?cb={n}&utm_source=x{n}")
        assert response["X-Cache"] == "hit", n
    assert pagecache.usage() == before
    assert before[0] == 1


def test_a_list_page_read_by_cursor_is_its_own_entry(client):
    """``?before=<cursor>`` is a parameter a list reads: page 2 is cached apart from page 1."""
    section = make_section(slug="city")
    for n in range(25):
        make_article(section=section, headline=f"City story {n:02d}")
    first = client.get("/section/city/").content.decode()
    cursor = first.split("?before=")[1].split('"')[0]
    second = client.get(f"/section/city/?before={cursor}")
    assert second["X-Cache"] == "miss"
    assert "City story 00" in second.content.decode() and "City story 00" not in first
    assert client.get(f"/section/city/?before={cursor}&cb=1")["X-Cache"] == "hit"
    assert pagecache.usage()[0] == 2


def test_a_parameter_a_page_ignores_is_answered_but_not_stored(client):
    """``/?before=<anything>`` on the home page (which has no pages) makes no entry per value."""
    make_article()
    client.get("/")
    entries = pagecache.usage()
    for n in range(50):
        assert client.get(f"/?before={n}").status_code == 200
    assert pagecache.usage() == entries


def test_a_strict_page_is_not_a_hit_for_a_parameter_it_refuses(client):
    """The API refuses unknown parameters: a cached list is no answer to ``?cb=1``."""
    make_article()
    assert client.get("/api/v1/articles").status_code == 200
    assert client.get("/api/v1/articles")["X-Cache"] == "hit"
    refused = client.get("/api/v1/articles?cb=1")
    assert refused.status_code == 400
    assert "cb" in refused.content.decode()


def test_the_cache_is_bounded_by_bytes_oldest_read_first_out(client):
    """Past MASTHEAD_PAGE_CACHE_BYTES the least recently read page leaves; the budget is never passed."""
    stories = [make_article(body="Words of the story. " * 200) for _ in range(12)]
    client.get(stories[0].get_absolute_url())
    one_page = pagecache.usage()[1]
    with override_settings(PAGE_CACHE_BYTES=one_page * 5):
        for story in stories:
            client.get(story.get_absolute_url())
            client.get(stories[-1].get_absolute_url())  # read often: stays
            entries, size = pagecache.usage()
            assert size <= one_page * 5
        assert entries <= 5
        assert client.get(stories[-1].get_absolute_url())["X-Cache"] == "hit"
        assert client.get(stories[0].get_absolute_url())["X-Cache"] == "miss"


def test_a_page_larger_than_the_budget_is_served_but_not_kept(client):
    """A page that alone exceeds the budget would empty the cache for nothing: it is not stored."""
    story = make_article()
    with override_settings(PAGE_CACHE_BYTES=1000):
        assert client.get(story.get_absolute_url()).status_code == 200
        assert pagecache.usage() == (0, 0)
        assert client.get(story.get_absolute_url())["X-Cache"] == "miss"
