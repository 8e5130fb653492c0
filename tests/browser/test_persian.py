import os
from urllib.parse import quote

import pytest

from masthead.news import demo
from masthead.news.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_reads_the_persian_edition_right_to_left(live_server, browser, screenshots_dir):
    """A reader on the Persian home page opens 302104's Persian counterpart: the page runs right to
    left, its News ID, date and generation time are in Persian digits, and the link back to the
    English edition is there."""
    demo.load()
    story = Article.objects.get(pk=302106)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/fa/")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["fa", "rtl"]
    page.screenshot(path=os.path.join(screenshots_dir, "fa-home.png"), full_page=True)
    page.get_by_role("link", name=story.headline).first.click()
    page.wait_for_url(f"**/fa/news/302106/{quote(story.slug)}/")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == story.headline
    assert heading.evaluate("h => getComputedStyle(h).direction") == "rtl"
    facts = " ".join(page.locator(".story-facts").inner_text().split())
    assert "کد خبر: ۳۰۲۱۰۶" in facts
    assert "۲۳ فروردین ۱۴۰۰ – ۱۰:۰۵" in facts
    footer = page.locator(".generated").inner_text()
    assert footer.startswith("زمان ساخت صفحه ۰٫") and footer.endswith(" ثانیه"), footer
    assert page.locator('link[rel="alternate"][hreflang="en"]').count() == 1
    page.screenshot(path=os.path.join(screenshots_dir, "fa-article-302106.png"), full_page=True)


def test_a_persian_search_reads_right_to_left(live_server, browser, screenshots_dir):
    """A search on the Persian edition answers in Persian, right to left, and finds the Persian story."""
    demo.load()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/fa/search/?q=" + quote("ظریف"))
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.get_by_role("link", name="ظریف: نیروهای خارجی باید منطقه را ترک کنند").count() >= 1
    numbered = page.evaluate("""() => { const ol = document.createElement("ol");
        document.querySelector("main").append(ol); return getComputedStyle(ol).listStyleType; }""")
    assert numbered == "persian", "numbered lists count in Persian digits"
    page.screenshot(path=os.path.join(screenshots_dir, "fa-search.png"), full_page=True)
