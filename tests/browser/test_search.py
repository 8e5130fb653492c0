import os
import re

import pytest

from masthead.news import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_paper(transactional_db):
    # Loaded before the browser starts: Playwright's event loop forbids database calls in its thread.
    demo.load()


def test_reader_finds_a_phrase_from_302104_and_opens_the_story(demo_paper, live_server, browser, screenshots_dir):
    """From the home page's search box, a quoted phrase of the story finds it first, snippet marked; it opens."""
    page = browser.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("Search the archive").fill('"foreign forces must leave the region"')
    page.get_by_label("Search the archive").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    hit = page.locator(".search-hit").first
    assert "foreign forces must leave the region" in hit.locator("mark").first.inner_text()
    assert page.locator("#search-count").inner_text().startswith("1 story matches")
    page.screenshot(path=os.path.join(screenshots_dir, "search-results-302104.png"), full_page=True)

    hit.locator("h3 a").click()
    page.wait_for_url(re.compile(r"/news/302104/"))
    assert page.locator("dd.news-id").inner_text() == "302104"
    assert "Leave the region" in page.locator("h1").inner_text()
    page.screenshot(path=os.path.join(screenshots_dir, "search-opened-302104.png"), full_page=True)
    page.close()


def test_reader_narrows_a_search_with_the_form(demo_paper, live_server, browser, screenshots_dir):
    """The results page's own form searches again with a section and newest-first order."""
    page = browser.new_page()
    page.goto(live_server.url + "/search/?q=iran")
    page.get_by_label("Section", exact=True).select_option(label="Politics")
    page.get_by_label("Sort by").select_option("newest")
    page.get_by_label("Words to find").press("Enter")
    page.wait_for_url(re.compile(r"section=politics"))
    sections = page.locator(".search-hit .meta a").all_inner_texts()
    assert sections and set(sections) == {"Politics"}
    times = page.locator(".search-hit time").evaluate_all("nodes => nodes.map(n => n.getAttribute('datetime'))")
    assert times == sorted(times, reverse=True)
    page.screenshot(path=os.path.join(screenshots_dir, "search-narrowed.png"), full_page=True)
    page.close()
