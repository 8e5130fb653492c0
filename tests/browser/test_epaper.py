import datetime as dt
import os

import pytest

from masthead.epaper import regions
from tests.epaper.factories import make_issue
from tests.news.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_opens_the_archive_an_issue_a_page_and_taps_a_story(live_server, browser, screenshots_dir,
                                                                     settings, tmp_path):
    """From /epaper/ to the issue, its second page by the rail, and the story by tapping its region on the page."""
    settings.MEDIA_ROOT = tmp_path / "media"
    story = make_article(headline="Oil exports rise", published_at=dt.datetime(2021, 4, 11, 20, tzinfo=dt.timezone.utc))
    make_issue(tmp_path, date=dt.date(2021, 4, 11), number=301)
    issue = make_issue(tmp_path, number=302, pages=[["Front page", "Leave the region"],
                                                     ["Economy", "", "Oil exports rise", "Tankers leave Kharg"],
                                                     ["Sports"]])
    make_issue(tmp_path, date=dt.date(2021, 3, 20), special="Nowruz 1400")
    regions.confirm(regions.suggest(issue))

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/epaper/")
    assert page.get_by_role("heading", level=1).inner_text() == "E-paper: the printed paper online"
    assert page.locator(".epaper-specials").get_by_role("link", name="Nowruz 1400").is_visible()
    covers = page.locator(".epaper-covers img")
    assert covers.count() == 2 and covers.first.evaluate("img => img.naturalWidth") == 160
    page.screenshot(path=os.path.join(screenshots_dir, "epaper-archive.png"), full_page=True)

    page.locator(".epaper-calendar").get_by_role("link", name="12", exact=True).click()
    page.wait_for_url("**/epaper/2021-04-12/")
    assert "Page 1 of 3" in page.locator(".epaper-label").first.inner_text()
    assert page.locator(".epaper-page img").evaluate("img => img.naturalWidth") == 1000
    page.get_by_role("navigation", name="Pages of this issue").get_by_role("link", name="Page 2").click()
    page.wait_for_url("**/epaper/2021-04-12/2/")
    page.screenshot(path=os.path.join(screenshots_dir, "epaper-page.png"), full_page=True)

    page.locator("a.epaper-region").first.click()
    page.wait_for_url(f"**{story.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == "Oil exports rise"

    page.goto(live_server.url + "/epaper/2021-04-12/2/text/?q=exports")
    assert page.locator("mark").first.inner_text() == "exports"
    page.screenshot(path=os.path.join(screenshots_dir, "epaper-text.png"), full_page=True)

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(live_server.url + "/epaper/2021-04-12/2/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "the page must not scroll sideways on a phone"
    phone.screenshot(path=os.path.join(screenshots_dir, "epaper-page-phone.png"), full_page=True)
