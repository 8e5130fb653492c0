"""Each edition's search page finds that edition's stories only, and links to the same search in the other."""

import re

import pytest

from tests.news.factories import make_article, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories():
    politics = make_section(name="Politics", name_fa="سیاست", slug="politics")
    english = make_article(section=politics, headline="Zarif meets al-Araji in Tehran", language="en")
    persian = make_article(section=politics, headline="دیدار ظریف و الاعرجی در تهران", language="fa",
                           body="Zarif و al-Araji در تهران دیدار کردند.")
    return {"english": english, "persian": persian}


def _hits(html: str) -> list[str]:
    return re.findall(r'<h3 class="teaser-headline"><a href="([^"]+)">', html)


def test_persian_search_finds_persian_stories_only(client, stories):
    """/fa/search/ holds to the Persian edition, even for a word both editions' stories contain."""
    html = client.get("/fa/search/", {"q": "Zarif"}).content.decode()
    assert _hits(html) == [stories["persian"].get_absolute_url()]
    assert "۱" in re.search(r'<h2 id="search-count"[^>]*>(.*?)</h2>', html).group(1)


def test_english_search_finds_english_stories_only(client, stories):
    html = client.get("/search/", {"q": "Zarif"}).content.decode()
    assert _hits(html) == [stories["english"].get_absolute_url()]
    assert "1 story matches" in html


def test_each_edition_links_to_the_same_search_in_the_other(client, stories):
    """The link keeps the query and filters, names the other edition in the reader's language, and finds its stories."""
    english = client.get("/search/", {"q": "Zarif", "section": "politics", "sort": "newest"}).content.decode()
    link = re.search(r'<p class="search-edition"><a href="([^"]+)" hreflang="fa">([^<]+)</a></p>', english)
    assert link, english
    assert link.group(1).replace("&amp;", "&") == "/fa/search/?q=Zarif&section=politics&sort=newest"
    assert link.group(2) == "Search the Persian edition for “Zarif”"
    followed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert _hits(followed) == [stories["persian"].get_absolute_url()]
    persian = client.get("/fa/search/", {"q": "Zarif"}).content.decode()
    link = re.search(r'<p class="search-edition"><a href="([^"]+)" hreflang="en">([^<]+)</a></p>', persian)
    assert link, persian
    assert link.group(2) == "جست‌وجوی «Zarif» در نسخهٔ انگلیسی"
    followed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert _hits(followed) == [stories["english"].get_absolute_url()]


def test_without_a_query_there_is_no_link_to_the_other_edition(client, stories):
    assert 'class="search-edition"' not in client.get("/fa/search/").content.decode()


def test_the_persian_search_form_names_sections_in_persian(client, stories):
    html = client.get("/fa/search/").content.decode()
    assert '<option value="politics">سیاست</option>' in html
