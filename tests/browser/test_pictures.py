"""The demo paper with its photographs, in Chromium: pictures load in place, pages pass axe.

Screenshots of the home page (desktop and phone), an illustrated article and a section page are
saved under var/screenshots/ for a person to look at.
"""

import os

import pytest
from django.utils import timezone

from masthead.news import demo
from tests.browser.axe import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Layout shifts the page makes while it loads, summed as Chrome's Cumulative Layout Shift.
CLS = """() => new Promise(done => {
  let total = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
    .observe({type: "layout-shift", buffered: true});
  setTimeout(() => done(total), 300);
})"""


@pytest.fixture
def paper(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo.load()


def _open(browser, url: str, width: int, height: int = 900):
    # The pages' own CSP forbids the inline script axe is added as; only the test lifts it.
    page = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True).new_page()
    page.goto(url, wait_until="load")
    return page


def _loaded_pictures(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll("main img")].map(i => ({
        src: i.currentSrc, ok: i.complete && i.naturalWidth > 0, lazy: i.loading === "lazy",
        box: i.getBoundingClientRect().height}))""")


def test_home_page_on_a_desktop_shows_the_lead_picture_large_without_shifting(live_server, browser, paper, screenshots_dir):
    """At 1280 px the lead story's picture is drawn wide, the thumbnails small, nothing moves as they load."""
    page = _open(browser, live_server.url + "/", 1280)
    lead = page.locator(".top-stories .lead img")
    assert lead.count() == 1
    box = lead.bounding_box()
    assert box["width"] >= 500 and abs(box["width"] / box["height"] - 16 / 9) < 0.05
    thumb = page.locator(".top-stories .teaser-thumb img").first.bounding_box()
    assert 100 <= thumb["width"] <= 170
    eager = [p for p in _loaded_pictures(page) if not p["lazy"]]
    assert eager and all(p["ok"] for p in eager), eager
    assert page.evaluate(CLS) < 0.01
    page.screenshot(path=os.path.join(screenshots_dir, "home-desktop.png"), full_page=True)
    assert violations(page) == []


def test_a_lead_without_a_picture_takes_the_width_and_leaves_no_empty_column(live_server, browser, paper, screenshots_dir):
    """A lead story with no picture (a live story just started, say) is drawn across the top
    stories, the others in two columns under it, so no tall empty area stands beside them."""
    from masthead.news.models import Section
    from tests.news.factories import make_article

    make_article(headline="Parliament votes on the budget bill", section=Section.objects.first(), published_at=timezone.now())
    page = _open(browser, live_server.url + "/", 1280)
    assert page.locator(".top-stories .lead .teaser-headline").inner_text() == "Parliament votes on the budget bill"
    assert page.locator(".top-stories .lead img").count() == 0
    top, lead = page.locator(".top-stories").bounding_box(), page.locator(".top-stories .lead").bounding_box()
    assert lead["width"] > 0.95 * top["width"]
    others = [page.locator(".top-stories > .teaser").nth(i).bounding_box() for i in range(4)]
    assert {round(box["x"]) for box in others} == {round(others[0]["x"]), round(others[1]["x"])} and others[0]["x"] < others[1]["x"]
    assert others[0]["y"] - (lead["y"] + lead["height"]) < 40, "the other top stories start right under the lead"
    page.screenshot(path=os.path.join(screenshots_dir, "home-desktop-lead-without-picture.png"))
    assert violations(page) == []


def test_home_page_on_a_phone_fits_its_width_and_passes_axe(live_server, browser, paper, screenshots_dir):
    page = _open(browser, live_server.url + "/", 390, 844)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".top-stories .lead img").bounding_box()["width"] <= 390
    page.screenshot(path=os.path.join(screenshots_dir, "home-phone.png"), full_page=True)
    assert violations(page) == []


def test_an_illustrated_article_shows_its_picture_with_caption_and_credit(live_server, browser, paper, screenshots_dir):
    page = _open(browser, live_server.url + "/news/302075/", 1280)
    figure = page.locator("figure.lead-image")
    assert "Eileen Collins" in figure.text_content() and "Photo: NASA (public domain)" in figure.text_content()
    assert all(p["ok"] for p in _loaded_pictures(page))
    assert page.evaluate(CLS) < 0.01
    page.screenshot(path=os.path.join(screenshots_dir, "article-302075.png"), full_page=True)
    assert violations(page) == []


def test_a_section_page_lists_stories_with_thumbnails_and_passes_axe(live_server, browser, paper, screenshots_dir):
    page = _open(browser, live_server.url + "/section/science/", 1280)
    assert page.locator(".story-list .teaser-thumb img").count() >= 3
    page.screenshot(path=os.path.join(screenshots_dir, "section-science.png"), full_page=True)
    assert violations(page) == []


def test_the_persian_home_page_passes_axe(live_server, browser, paper, screenshots_dir):
    page = _open(browser, live_server.url + "/fa/", 1280)
    assert page.locator("main img").count() >= 1
    page.screenshot(path=os.path.join(screenshots_dir, "home-fa.png"), full_page=True)
    assert violations(page) == []


def test_on_a_phone_the_sections_scroll_in_one_row_and_the_first_headline_stays_high(live_server, browser, paper):
    """At 390 px the navigation is one row that scrolls sideways (no script), the search box gives way
    to a link, and the lead story's picture starts within 220 px of the top (with the box and two
    rows of sections it started at 275 px)."""
    page = _open(browser, live_server.url + "/", 390, 844)
    row = page.locator(".masthead .sections")
    links = row.locator("a")
    tops = {round(links.nth(n).bounding_box()["y"]) for n in range(links.count())}
    assert len(tops) == 1, "every section link on one row"
    assert page.evaluate("(() => { const r = document.querySelector('.masthead .sections'); return r.scrollWidth > r.clientWidth; })()")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.locator("#site-search-q").is_visible()
    assert page.locator(".top-stories .lead img").bounding_box()["y"] < 220
    search = page.get_by_role("link", name="Search")
    search.scroll_into_view_if_needed()
    assert search.is_visible()
    search.click()
    page.wait_for_url("**/search/")
    assert page.locator('input[type="search"]').count() == 1
    desktop = _open(browser, live_server.url + "/", 1280)
    assert desktop.locator("#site-search-q").is_visible() and not desktop.get_by_role("link", name="Search").is_visible()
