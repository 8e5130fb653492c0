import os

import pytest

from masthead.news import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_opens_article_302104_from_the_home_page(live_server, browser, screenshots_dir):
    """A reader on the front page follows the link to News ID 302104 and sees the story as the paper prints it."""
    demo.load()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    assert page.title().startswith("Masthead Daily")
    page.screenshot(path=os.path.join(screenshots_dir, "home.png"), full_page=True)
    page.get_by_role("link", name="‘Leave the region,’ Iran FM tells foreign powers").first.click()
    page.wait_for_url("**/news/302104/leave-the-region-iran-fm-tells-foreign-powers/")
    assert page.get_by_role("heading", level=1).inner_text() == "‘Leave the region,’ Iran FM tells foreign powers"
    facts = " ".join(page.locator(".story-facts").inner_text().split())
    assert "News ID: 302104" in facts
    assert "Published: 0535 GMT April 12, 2021" in facts
    body = page.locator(".story-body").inner_text()
    assert "Press TV reported" in body
    assert "Security Key" not in body
    assert page.get_by_role("link", name="Politics").first.is_visible()
    footer = page.locator(".generated").inner_text()
    assert footer.startswith("Page Generated in 0.") and footer.endswith(" sec")
    page.screenshot(path=os.path.join(screenshots_dir, "article-302104.png"), full_page=True)
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(page.url)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the article must not scroll sideways on a phone"
    phone.screenshot(path=os.path.join(screenshots_dir, "article-302104-phone.png"), full_page=True)
