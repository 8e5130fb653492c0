"""The site's search lists the printed paper's pages beside the stories: each links to the page's text
with the words marked, a search can keep to stories or to printed pages, and a re-imported issue is
searched as it now is."""

import datetime as dt
import re
from urllib.parse import quote

import pytest

from masthead.epaper.models import Page
from tests.epaper.factories import make_issue
from tests.news.factories import make_article, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _printed(html: str) -> list[str]:
    found = re.search(r'<section class="search-printed".*?</section>', html, re.S)
    return re.findall(r'<h3 class="teaser-headline"><a href="([^"]+)">', found.group(0)) if found else []


def _stories(html: str) -> list[str]:
    found = re.search(r'<section class="search-results".*?</section>', html, re.S)
    return re.findall(r'<h3 class="teaser-headline"><a href="([^"]+)">', found.group(0)) if found else []


@pytest.fixture
def paper(tmp_path):
    story = make_article(headline="Oil exports rise", section=make_section(slug="economy"))
    issue = make_issue(tmp_path, date=dt.date(2021, 4, 12), pages=[["Front page"], ["Oil exports rise again"]])
    return {"story": story, "issue": issue}


def test_printed_pages_are_listed_beside_the_stories_and_link_to_the_marked_text(client, paper):
    html = client.get("/search/", {"q": "oil"}).content.decode()
    assert _stories(html) == [paper["story"].get_absolute_url()]
    assert _printed(html) == ["/epaper/2021-04-12/2/text/?q=oil"]
    assert "1 printed page holds “oil”" in html
    text = client.get("/epaper/2021-04-12/2/text/?q=oil")
    assert text.status_code == 200
    assert "<mark>Oil</mark> exports rise again" in text.content.decode()


def test_a_search_keeps_to_stories_or_to_printed_pages(client, paper):
    stories_only = client.get("/search/", {"q": "oil", "in": "stories"}).content.decode()
    assert _printed(stories_only) == [] and 'class="search-printed"' not in stories_only
    assert _stories(stories_only) == [paper["story"].get_absolute_url()]
    pages_only = client.get("/search/", {"q": "oil", "in": "epaper"}).content.decode()
    assert _printed(pages_only) == ["/epaper/2021-04-12/2/text/?q=oil"]
    assert 'class="search-results"' not in pages_only
    assert '<option value="epaper" selected>' in pages_only


def test_an_unknown_scope_searches_both(client, paper):
    html = client.get("/search/", {"q": "oil", "in": "everything"}).content.decode()
    assert _printed(html) and _stories(html)


def test_dates_narrow_the_printed_pages_too(client, paper, tmp_path):
    make_issue(tmp_path, date=dt.date(2021, 3, 1), pages=[["Oil prices fall"]])
    html = client.get("/search/", {"q": "oil", "from": "2021-03-01", "to": "2021-03-31"}).content.decode()
    assert _printed(html) == ["/epaper/2021-03-01/1/text/?q=oil"]


def test_a_section_search_lists_no_printed_pages(client, paper):
    """The printed paper has no sections: narrowed to one, the search lists stories alone."""
    assert _printed(client.get("/search/", {"q": "oil", "section": "economy"}).content.decode()) == []


def test_a_reimported_issue_is_searched_as_it_now_is(client, paper, tmp_path):
    again = tmp_path / "again"
    again.mkdir()
    make_issue(again, date=dt.date(2021, 4, 12), pages=[["Front page"], ["Wheat harvest begins"]])
    assert _printed(client.get("/search/", {"q": "oil"}).content.decode()) == []
    assert _printed(client.get("/search/", {"q": "wheat"}).content.decode()) == ["/epaper/2021-04-12/2/text/?q=wheat"]


def test_an_editors_persian_text_is_found_however_it_is_typed(client, paper):
    """A page whose text layer is broken is searched by the editor's text, folded as the site's search folds:
    Arabic yeh typed for Persian yeh, Persian digits for Latin ones."""
    page = Page.objects.get(issue=paper["issue"], number=1)
    page.corrected_text = "صادرات نفت خارجی در سال ۱۴۰۰ افزایش یافت"
    page.save()
    for query in ("خارجي", "1400", "۱۴۰۰"):
        assert _printed(client.get("/fa/search/", {"q": query}).content.decode()) == [
            f"/fa/epaper/2021-04-12/1/text/?q={quote(query)}"], query


def test_more_printed_pages_than_are_listed_link_to_them_all(client, tmp_path):
    make_issue(tmp_path, date=dt.date(2021, 4, 12), pages=[[f"Oil story {n}"] for n in range(7)])
    html = client.get("/search/", {"q": "oil"}).content.decode()
    assert len(_printed(html)) == 5
    assert "7 printed pages hold “oil”" in html
    more = re.search(r'<p class="search-more"><a href="([^"]+)">', html).group(1).replace("&amp;", "&")
    assert more == "?q=oil&sort=relevance&in=epaper"
    assert len(_printed(client.get("/search/" + more).content.decode())) == 7


def test_no_printed_page_no_printed_heading_unless_only_pages_were_asked_for(client, paper):
    html = client.get("/search/", {"q": "exports", "in": ""}).content.decode()
    assert 'class="search-printed"' in html
    html = client.get("/search/", {"q": "zzzz"}).content.decode()
    assert 'class="search-printed"' not in html
    assert "0 printed pages hold “zzzz”" in client.get("/search/", {"q": "zzzz", "in": "epaper"}).content.decode()
