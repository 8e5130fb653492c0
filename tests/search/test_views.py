import re
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.utils import timezone

from masthead import search
from tests.news.factories import make_article, make_section

pytestmark = pytest.mark.django_db


def test_the_empty_page_offers_an_accessible_form(client):
    response = client.get("/search/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<form class="search-form" role="search" aria-label="Search the archive" action="/search/" method="get">' in html
    assert '<label for="search-q">Words to find</label>' in html
    assert '<input id="search-q" type="search" name="q" value=""' in html
    assert '<label for="search-section">Section</label>' in html and '<label for="search-sort">Sort by</label>' in html
    assert "Type a word or two" in html
    assert 'class="search-results"' not in html
    assert '<meta name="robots" content="noindex">' in html


def test_results_show_headline_link_section_date_and_snippet(client):
    politics = make_section(name="Politics", slug="politics")
    story = make_article(headline="‘Leave the region,’ Iran FM tells foreign powers", section=politics,
                         body="Zarif said foreign forces must leave the region.",
                         published_at=datetime(2021, 4, 12, 5, 35, tzinfo=dt_timezone.utc))
    html = client.get("/search/", {"q": '"foreign forces"'}).content.decode()
    assert "1 story matches “&#34;foreign forces&#34;”" in html  # the query, escaped
    assert f'<a href="{story.get_absolute_url()}">‘Leave the region,’ Iran FM tells foreign powers</a>' in html
    assert 'href="/section/politics/">Politics</a>' in html
    assert "0535 GMT April 12, 2021</time>" in html
    assert '<p class="snippet">Zarif said <mark>foreign forces</mark> must leave the region.</p>' in html
    assert f"News ID {story.pk}" in html


def test_filters_and_sort_are_applied_and_kept_in_the_form(client):
    sport = make_section(name="Sport", slug="sport")
    make_article(headline="Derby politics")
    in_sport = make_article(headline="Derby result", section=sport,
                            published_at=datetime(2021, 4, 12, 9, 0, tzinfo=dt_timezone.utc))
    html = client.get("/search/", {"q": "derby", "section": "sport", "from": "2021-04-12", "to": "2021-04-12",
                                   "sort": "newest"}).content.decode()
    assert re.findall(r'<h3 class="teaser-headline"><a href="([^"]+)"', html) == [in_sport.get_absolute_url()]
    assert '<option value="sport" selected>Sport</option>' in html
    assert 'name="from" value="2021-04-12"' in html and 'name="to" value="2021-04-12"' in html
    assert '<option value="newest" selected>' in html


def test_pages_link_to_each_other_with_the_same_filters(client):
    for n in range(search.PAGE_SIZE + 1):
        make_article(headline=f"Harvest report {n}", published_at=timezone.now() - timedelta(hours=n + 1))
    html = client.get("/search/", {"q": "harvest", "sort": "newest"}).content.decode()
    assert "21 stories match" in html
    assert '<a rel="next" href="?q=harvest&amp;sort=newest&amp;page=2">' in html
    second = client.get("/search/", {"q": "harvest", "sort": "newest", "page": "2"}).content.decode()
    assert '<ol class="search-hits" start="21">' in second
    assert '<a rel="prev" href="?q=harvest&amp;sort=newest&amp;page=1">' in second
    assert "Harvest report 20" in second and 'rel="next"' not in second


@pytest.mark.parametrize("params,note", [
    ({"q": "!!! ???"}, "Your search has no letters or digits to look for."),
    ({"q": "iran " * 400}, "Your search was long, so only its beginning was used."),
    ({"q": "iran", "from": "yesterday"}, "“yesterday” is not a date like 2021-04-12, so the from date was left out."),
    ({"q": "iran", "to": "2021-02-31"}, "“2021-02-31” is not a date like 2021-04-12, so the to date was left out."),
    ({"q": "iran", "section": "nowhere"}, "There is no such section, so all sections were searched."),
])
def test_odd_input_gets_a_calm_page_that_says_why(client, params, note):
    make_article(headline="Iran and Iraq")
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert note in response.content.decode()


@pytest.mark.parametrize("params", [{"q": '") OR 1=1 --'}, {"q": "NEAR(", "page": "x"}, {"q": "iran", "page": "-3"},
                                    {"q": "iran", "page": "999999999999999999999"}, {"q": "iran", "sort": "'"},
                                    {"q": "\x00"}, {"q": "iran", "from": "9999-12-31"},
                                    {"q": "iran", "to": "9999-12-31"}, {"q": "iran", "from": "0001-01-01"}])
def test_hostile_input_never_fails(client, params):
    make_article(headline="Iran and Iraq")
    assert client.get("/search/", params).status_code == 200


def test_the_query_is_shown_escaped(client):
    html = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_nothing_found_says_what_to_try(client):
    html = client.get("/search/", {"q": "zzzz"}).content.decode()
    assert "0 stories match “zzzz”" in html
    assert "Nothing was found." in html


def test_search_pages_are_not_page_cached(client):
    """Each query is a new address; caching them would let visitors push stories out of the page cache."""
    story = make_article(headline="Ceasefire agreed")
    first = client.get("/search/", {"q": "ceasefire"})
    second = client.get("/search/", {"q": "ceasefire"})
    assert second["X-Cache"] == "miss" and second["Cache-Control"] == "no-cache"
    assert "Surrogate-Key" not in first
    assert story.headline in second.content.decode()


def test_every_page_has_the_search_box(client):
    make_article()
    html = client.get("/").content.decode()
    assert '<form class="site-search" role="search" action="/search/" method="get">' in html
    assert '<label class="visually-hidden" for="site-search-q">Search the archive</label>' in html


def test_the_search_page_has_one_search_box(client):
    """The header's box gives way to the page's own form, so the page has one search box, not two."""
    make_article()
    for url in ["/search/", "/search/?q=story", "/fa/search/?q=story"]:
        html = client.get(url).content.decode()
        assert html.count('type="search"') == 1, url
        assert 'id="search-q"' in html and 'id="site-search-q"' not in html, url
