"""A reader moves between a story and its translation, and searches each edition and the printed
pages, in Chromium; axe-core (shipped under var/tools by ``make test``) finds no violation on them."""

import datetime as dt
import os
from urllib.parse import quote

import pytest

from masthead.news import demo
from masthead.news.models import Article
from tests.browser.axe import violations
from tests.epaper.factories import make_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



@pytest.fixture
def paper(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo.load()
    make_issue(tmp_path, date=dt.date(2021, 4, 12), pages=[["Front page", "Iran FM tells foreign powers"],
                                                           ["Economy", "Oil exports rise"]])


def test_a_reader_goes_from_a_story_to_its_persian_translation_and_back(live_server, browser, paper, screenshots_dir):
    english = Article.objects.get(pk=302104)
    # The page's own CSP allows no inline script; axe is the test's, not the page's.
    page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page.goto(live_server.url + english.get_absolute_url())
    assert violations(page) == []
    page.get_by_role("link", name="Read in Persian").click()
    page.wait_for_url("**/fa/news/302106/**")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["fa", "rtl"]
    assert violations(page) == []
    page.screenshot(path=os.path.join(screenshots_dir, "fa-article-read-in-english.png"), full_page=True)
    page.get_by_role("link", name="خواندن به انگلیسی").click()
    page.wait_for_url(f"**/news/302104/{english.slug}/")


def test_a_search_lists_stories_and_printed_pages_and_leads_to_the_other_edition(live_server, browser, paper,
                                                                                    screenshots_dir):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page.goto(live_server.url + "/search/?q=oil")
    assert page.locator(".search-printed .search-hit").count() == 1
    assert violations(page) == []
    page.screenshot(path=os.path.join(screenshots_dir, "search-printed-pages.png"), full_page=True)
    page.locator(".search-printed a").first.click()
    page.wait_for_url("**/epaper/2021-04-12/2/text/?q=oil")
    assert page.locator("mark").first.inner_text() == "Oil"
    page.goto(live_server.url + "/fa/search/?q=" + quote("ظریف"))
    assert page.locator(".search-results .search-hit").count() >= 1
    assert page.get_by_role("combobox", name="جست‌وجو در").count() == 1
    assert violations(page) == []
    page.screenshot(path=os.path.join(screenshots_dir, "fa-search-editions.png"), full_page=True)
    page.locator(".search-edition a").click()
    page.wait_for_url("**/search/?q=*")
    assert page.evaluate("document.documentElement.lang") == "en"


@pytest.mark.parametrize("address,name", [("/fa/", "fa-home-axe"), ("/fa/epaper/", "fa-epaper-axe"),
                                          ("/fa/newsletter/", "fa-newsletter-axe")])
def test_the_persian_front_page_e_paper_and_newsletter_pass_axe_in_persian(live_server, browser, paper,
                                                                            screenshots_dir, address, name):
    """Right to left, in Persian (the strings of the newsletter strip and the e-paper included), and axe-clean."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page.goto(live_server.url + address)
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["fa", "rtl"]
    text = page.locator("body").inner_text()
    assert "The day's paper in your inbox" not in text and "E-paper" not in text and "Subscribe" not in text
    assert violations(page) == []
    page.screenshot(path=os.path.join(screenshots_dir, f"{name}.png"), full_page=True)
