"""A reader keeps a live story open in Chromium while an update is posted: it appears without a reload."""

import json
import os
import re
import time
import urllib.request

import pytest
from django.db import connection

from tests import servers
from tests.browser.axe import violations
from tests.live.factories import make_live_story, post
from tests.syndication.factories import make_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def _post_by_api(base: str, story, token: str, body: str) -> None:
    request = urllib.request.Request(f"{base}/api/v1/articles/{story.pk}/updates", method="POST",
                                     data=json.dumps({"body": body}).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def _streamed_story(headline: str, first: str, *, poll_seconds: int):
    """A live story with one update, an editor's API token, and the environment of a server that streams it."""
    story = make_live_story(headline=headline)
    post(story, first)
    env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": "",
           "MASTHEAD_LIVE_POLL_SECONDS": str(poll_seconds)}
    return story, make_token(groups=["editor"]), env


def test_an_update_posted_through_the_api_appears_on_an_open_page(live_server, browser, settings, screenshots_dir):
    """Posted while the page is open, the update is on screen within two polls, newest on top, no reload."""
    settings.LIVE_POLL_SECONDS = 1
    story = make_live_story(headline="Storm reaches the coast")
    post(story, "Winds pick up along the shore.")
    token = make_token(groups=["editor"])
    page = browser.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + story.get_absolute_url())
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    assert page.locator("#live-stream article").count() == 1
    page.wait_for_timeout(1500)  # the script has polled at least once and found nothing new
    posted = time.monotonic()
    _post_by_api(live_server.url, story, token, "The storm makes landfall near Bandar Abbas.")
    page.locator("#update-2").wait_for(timeout=5000)
    seen = time.monotonic() - posted
    assert seen < 2.5, f"seen {seen:.2f} s after the post (polling every 1 s)"
    assert page.locator("#live-stream article").evaluate_all("els => els.map(e => e.id)") == ["update-2", "update-1"]
    assert "Bandar Abbas" in page.locator("#update-2").inner_text()
    assert page.locator("#live-new").is_visible()
    assert navigations == [] and errors == []  # no reload, no script error, no policy violation
    page.screenshot(path=os.path.join(screenshots_dir, "live-1-update-appeared.png"), full_page=True)


def test_the_page_works_without_script_and_passes_axe(live_server, browser, settings):
    """Every update is in the served page itself; axe finds no violation on a running live page."""
    editor_token = make_token(groups=["editor"])
    story = make_live_story(headline="Election night")
    post(story, "Polls close.", headline="Polls closed")
    _post_by_api(live_server.url, story, editor_token, "Counting begins.")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + story.get_absolute_url())
    assert page.locator("#live-stream article").evaluate_all("els => els.map(e => e.id)") == ["update-2", "update-1"]
    context.close()
    # axe is injected into the page: the page's own policy would refuse it, rightly.
    checked = browser.new_context(bypass_csp=True).new_page()
    checked.goto(live_server.url + story.get_absolute_url())
    assert violations(checked) == []


def test_an_editors_corrections_pins_deletion_and_end_reach_an_open_page(live_server, browser, settings, screenshots_dir):
    """An editor works the live desk while a reader's page stays open: each change shows there, no reload."""
    from tests.browser.test_desk import sign_in
    from tests.newsroom.factories import make_user

    settings.LIVE_POLL_SECONDS = 1
    story = make_live_story(headline="Earthquake in Kerman")
    for body in ("Ten hurt.", "A rumour from the market.", "Call 115 for news of relatives."):
        post(story, body)
    reader = browser.new_page()
    errors, navigations = [], []
    reader.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    reader.goto(live_server.url + story.get_absolute_url())
    reader.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == reader.main_frame else None)
    desk = sign_in(browser, live_server.url, make_user("editor", username="chief"))
    address = f"{live_server.url}/newsroom/news/article/{story.pk}/live/"

    def click(number: int, action: str) -> None:
        desk.goto(address)
        desk.locator(f'#update-{number} form:has(input[name=action][value="{action}"]) button').click()
        desk.wait_for_load_state()

    def seen(selector: str, *, text: str | None = None, gone: bool = False) -> None:
        # Polled every second: on screen within two polls, or the change never reached the page.
        reader.locator(selector, has_text=text).wait_for(state="detached" if gone else "attached", timeout=5000)

    desk.goto(f"{address}?edit=1")
    desk.fill("#live-body", "Twelve hurt.")
    desk.fill("#live-note", "Twelve were hurt, not ten.")
    desk.click("text=Publish correction")
    seen("#live-stream #update-1", text="Twelve were hurt, not ten.")
    assert "Ten hurt." not in reader.locator("#update-1").inner_text()
    click(1, "pin")
    seen("#live-pin #pinned-update-1")
    click(3, "pin")
    seen("#live-pin #pinned-update-3")
    assert reader.locator("#pinned-update-1").count() == 0
    click(3, "key")
    seen('#live-summary a[href="#update-3"]')
    reader.screenshot(path=os.path.join(screenshots_dir, "live-2-pinned-and-key-event.png"), full_page=True)
    click(3, "unpin")
    seen("#live-pin .live-pinned", gone=True)
    click(2, "delete")
    seen("#update-2", gone=True)
    assert reader.locator("#live-stream article").evaluate_all("els => els.map(e => e.id)") == ["update-3", "update-1"]
    desk.goto(address)
    desk.click("text=End coverage")
    desk.wait_for_load_state()
    seen("#live-status", text="Coverage has ended")
    assert reader.locator(".live-badge").count() == 0
    assert navigations == [] and errors == []
    reader.screenshot(path=os.path.join(screenshots_dir, "live-3-coverage-ended.png"), full_page=True)


def test_an_update_reaches_an_open_page_through_its_stream(browser, screenshots_dir):
    """Served by `masthead serve` (granian, two workers), the page holds a stream (EventSource): an update
    posted through the API appears within seconds, though the page would poll only every 60 s."""
    story, token, env = _streamed_story("Storm reaches the coast", "Winds pick up along the shore.", poll_seconds=60)
    with servers.app_server(env, server="granian", workers=2) as base:
        page = browser.new_page()
        errors, asked = [], []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("request", lambda request: asked.append(request.url))
        with page.expect_response(lambda response: "/updates/stream/" in response.url) as opened:
            page.goto(base + story.get_absolute_url())
        assert opened.value.status == 200 and opened.value.headers["content-type"].startswith("text/event-stream")
        _post_by_api(base, story, token, "The storm makes landfall near Bandar Abbas.")
        page.locator("#update-2").wait_for(timeout=10_000)
        assert page.locator("#live-stream article").evaluate_all("els => els.map(e => e.id)") == ["update-2", "update-1"]
        assert "Bandar Abbas" in page.locator("#update-2").inner_text() and page.locator("#live-new").is_visible()
        assert not [url for url in asked if "/updates/?" in url], "the page did not poll"
        assert errors == []
        page.screenshot(path=os.path.join(screenshots_dir, "live-4-update-through-the-stream.png"), full_page=True)


def test_a_page_whose_stream_was_refused_polls_then_takes_the_stream_again(browser):
    """A stream refused (a server restarting answers 502) leaves the page polling; a minute or two
    later it asks for the stream again, and once it holds one it stops polling: after a restart
    the readers come back to streams instead of polling the app every second."""
    story, token, env = _streamed_story("Quake felt in the capital", "Buildings shook for twenty seconds.", poll_seconds=1)
    with servers.app_server(env, server="granian", workers=2) as base:
        page = browser.new_page()
        page.clock.install()
        streams, polls = [], []
        page.on("request", lambda request: polls.append(request.url) if "/updates/?" in request.url else None)

        def stream(route):
            streams.append(route.request.url)
            if len(streams) == 1:
                route.fulfill(status=502, body="restarting")
            else:
                route.continue_()

        page.route(re.compile(r".*/updates/stream/.*"), stream)
        page.goto(base + story.get_absolute_url())
        page.clock.run_for(3_000)
        # The polls the page's timers started go out as real requests, later on a loaded machine.
        for _ in range(100):
            if polls:
                break
            page.wait_for_timeout(100)
        assert len(streams) == 1 and polls, "refused, the page polls"
        with page.expect_response(lambda response: "/updates/stream/" in response.url) as reopened:
            page.clock.run_for(121_000)
        assert reopened.value.status == 200 and len(streams) == 2, "it asked for the stream again"
        page.wait_for_timeout(500)
        asked = len(polls)
        page.clock.run_for(5_000)
        page.wait_for_timeout(500)
        assert len(polls) <= asked + 1, "holding the stream, the page stops polling"
        _post_by_api(base, story, token, "Aftershock reported in the north.")
        page.locator("#update-2").wait_for(timeout=10_000)
        assert "Aftershock" in page.locator("#update-2").inner_text()
