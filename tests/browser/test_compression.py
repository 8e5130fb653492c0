"""Chromium reads the gzip pages the page cache sends, the timing spliced in, on a miss and on a hit."""

import pytest

from tests.news.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_reads_a_cached_gzip_page_with_its_own_timing(live_server, browser):
    """The spliced gzip body is valid for a browser: the story and a real figure show, never the mark."""
    story = make_article(headline="Gzip reaches the reader", body="A paragraph of the story. " * 40)
    for state in ("miss", "hit"):
        page = browser.new_context().new_page()  # a fresh browser cache: the page comes from the server
        response = page.goto(live_server.url + story.get_absolute_url())
        headers = response.all_headers()
        assert headers["x-cache"] == state
        assert headers["content-encoding"] == "gzip"
        assert page.get_by_role("heading", level=1).inner_text() == "Gzip reaches the reader"
        footer = page.locator(".generated").inner_text()
        assert footer.startswith("Page Generated in 0.") and footer.endswith(" sec"), footer
        assert "@@" not in page.content()
