"""A reader opens a story in Chromium and the newsroom's audience chart counts the read; the pages pass axe."""

import time

import pytest
from django.db import connection

from masthead.audience.models import StoryReads
from tests import servers
from tests.audience.factories import make_reads
from tests.browser.axe import violations
from tests.news.factories import make_article, make_section
from tests.newsroom.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Headless Chromium names itself HeadlessChrome, which the counter takes for a bot, as it should.
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def _chart_reads(page, url: str, *, at_least: int, seconds: float = 10) -> int:
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        total = sum(int(n) for n in page.eval_on_selector_all(".reads-bar", "bars => bars.map(b => b.dataset.reads)"))
        if total >= at_least or time.monotonic() > deadline:
            return total
        time.sleep(0.5)


def test_opening_a_story_raises_its_count_on_the_audience_chart(browser):
    """Two readers open a story (the second twice); the chart shows two reads, and the pages pass axe."""
    section = make_section(name="Politics")
    story = make_article(headline="Talks resume in Vienna", section=section)
    make_reads(make_article(section=section, headline="Oil prices rise"), count=5)
    editor = make_user("editor")
    env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": ""}
    with servers.app_server(env) as base:
        newsroom = browser.new_context(bypass_csp=True).new_page()
        newsroom.goto(f"{base}/newsroom/login/")
        newsroom.fill("#id_username", editor.username)
        newsroom.fill("#id_password", PASSWORD)
        newsroom.click("input[type=submit], button[type=submit]")
        chart = f"{base}/newsroom/audience/storyreads/?story={story.pk}"
        assert _chart_reads(newsroom, chart, at_least=0, seconds=0) == 0

        first = browser.new_context(user_agent=CHROME, bypass_csp=True).new_page()
        with first.expect_request(lambda request: request.url.endswith(f"/hit/{story.pk}")) as sent:
            first.goto(base + story.get_absolute_url())
        assert sent.value.method == "POST"
        assert first.get_by_role("heading", name="Most read in Politics").is_visible()
        assert _chart_reads(newsroom, chart, at_least=1) == 1

        first.reload()  # the same reader again: not a new read
        second = browser.new_context(user_agent=CHROME + " Edg/126.0", bypass_csp=True).new_page()
        second.goto(base + story.get_absolute_url())
        assert _chart_reads(newsroom, chart, at_least=2) == 2
        time.sleep(2.5)
        assert _chart_reads(newsroom, chart, at_least=3, seconds=0) == 2
        assert StoryReads.objects.get(story=story).count == 2
        assert newsroom.get_by_role("img", name="Reads per hour of “Talks resume in Vienna”").is_visible()
        assert violations(newsroom) == []
        assert violations(second) == []
