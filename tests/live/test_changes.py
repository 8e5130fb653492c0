"""What an open live page is sent: every change after the version of the coverage it shows, and exact purges."""

import contextlib
import queue
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from masthead.live.models import Coverage, LiveUpdate
from masthead.stories import live
from tests.live.factories import make_live_story, post
from tests.news.factories import make_article
from tests.newsroom.factories import make_user

pytestmark = pytest.mark.django_db


def _version(story) -> int:
    return Coverage.objects.get(pk=story.pk).version


def _ids(html: str) -> list[str]:
    return re.findall(r'<article class="live-update[^"]*" id="((?:pinned-)?update-\d+)"', html)


def _changes(client, story, version: int) -> dict:
    response = client.get(f"/news/{story.pk}/updates/?version={version}")
    assert response.status_code == 200, response.content
    return response.json()


def test_every_change_counts_a_version_and_stamps_the_updates_it_touched():
    """Start, post, correct, pin (unpinning the old pin), mark, delete and end each count one version."""
    editor = make_user("editor")
    story = make_live_story()
    assert _version(story) == 1
    first, second = post(story, "One."), post(story, "Two.", by=editor, pinned=True)
    assert (_version(story), first.version, second.version) == (3, 2, 3)
    live.correct_update(first, by=editor, body="One, corrected.", note="Fixed.")
    assert LiveUpdate.objects.get(pk=first.pk).version == 4
    live.pin_update(first, by=editor)
    assert {u.number: (u.version, u.pinned) for u in LiveUpdate.objects.all()} == {1: (5, True), 2: (5, False)}
    live.mark_key_event(second, by=editor)
    live.delete_update(second, by=editor)
    assert LiveUpdate.objects.get(pk=second.pk).version == 7
    live.end_coverage(story, by=editor)
    assert _version(story) == 8


def test_a_page_is_sent_its_new_corrected_and_deleted_updates_the_pin_and_key_events(client):
    """After a correction, a deletion, a new pinned key event: the answer holds each, as the page will show it."""
    editor = make_user("editor")
    story = make_live_story()
    first, second = post(story, "Ten hurt."), post(story, "A rumour.")
    page = _version(story)
    live.correct_update(first, by=editor, body="Twelve hurt.", note="Twelve, not ten.")
    live.delete_update(second, by=editor)
    post(story, "Roads reopen.", by=editor, headline="Roads reopen", pinned=True, key_event=True)
    answer = _changes(client, story, page)
    assert (answer["after"], answer["version"], answer["changed"], answer["running"]) == (page, page + 3, True, True)
    assert answer["numbers"] == [3, 1] and answer["deleted"] == [2]
    assert _ids(answer["html"]) == ["update-3", "update-1"]
    corrected = answer["html"].split('id="update-1"')[1]
    assert "Twelve hurt." in corrected and "Ten hurt." not in corrected and "Twelve, not ten." in corrected
    assert "A rumour." not in answer["html"]
    assert _ids(answer["pinned"]) == ["pinned-update-3"] and "Roads reopen." in answer["pinned"]
    assert 'href="#update-3"' in answer["key_events"] and "Roads reopen" in answer["key_events"]
    assert '<strong class="live-badge">Live</strong>' in answer["status"]
    # A page already on the newest version is sent nothing but that.
    assert _changes(client, story, answer["version"]) == {
        "story": story.pk, "after": answer["version"], "version": answer["version"], "running": True, "changed": False}


def test_unpinning_sends_an_empty_pin_and_the_update_back_to_the_stream(client):
    editor = make_user("editor")
    story = make_live_story()
    pinned = post(story, "Call this number.", by=editor, pinned=True)
    page = _version(story)
    live.pin_update(pinned, by=editor, pinned=False)
    answer = _changes(client, story, page)
    assert answer["pinned"] == "" and answer["key_events"] == "" and _ids(answer["html"]) == ["update-1"]


def test_the_end_of_coverage_is_sent_to_every_page_and_keeps_being_sent(client):
    """The badge becomes "Coverage has ended"; a page already on the newest version still learns it."""
    story = make_live_story()
    post(story, "Last word.")
    page = _version(story)
    live.end_coverage(story, by=make_user("editor"))
    answer = _changes(client, story, page)
    assert answer["running"] is False and answer["numbers"] == [] and answer["deleted"] == []
    assert "Coverage has ended" in answer["status"] and "live-badge" not in answer["status"]
    newest = _changes(client, story, answer["version"])
    assert newest["changed"] is False and "Coverage has ended" in newest["status"]


def test_the_page_names_the_version_it_shows(client):
    story = make_live_story()
    post(story, "One.")
    html = client.get(story.get_absolute_url()).content.decode()
    assert f'data-version="{_version(story)}"' in html
    assert '<div id="live-summary">' in html and '<div id="live-pin">' in html


@pytest.mark.django_db(transaction=True)
def test_the_changes_answer_is_shared_per_version_and_purged_by_every_change(client, settings):
    """Readers on one version share one cached answer; each kind of change purges it at once."""
    settings.LIVE_POLL_SECONDS = 60  # a bucket that cannot end between two requests of the test
    editor = make_user("editor")
    story = make_live_story()
    update = post(story, "One.")
    address = f"/news/{story.pk}/updates/?version={_version(story)}"
    changes = [lambda: live.correct_update(update, by=editor, body="One!", note="Louder."),
               lambda: live.pin_update(update, by=editor), lambda: live.pin_update(update, by=editor, pinned=False),
               lambda: live.mark_key_event(update, by=editor), lambda: live.delete_update(update, by=editor),
               lambda: live.end_coverage(story, by=editor)]
    assert client.get(address)["X-Cache"] == "miss"
    for change in changes:
        assert client.get(address)["X-Cache"] == "hit"
        change()
        after = client.get(address)
        assert after["X-Cache"] == "miss" and after.json()["version"] == _version(story)


def test_a_bad_version_is_a_json_400_naming_it(client):
    story = make_live_story()
    response = client.get(f"/news/{story.pk}/updates/?version=-1")
    assert response.status_code == 400 and response.json()["error"]["parameter"] == "version"
    assert "-1" in response.json()["error"]["message"]
    assert client.get(f"/news/{make_article().pk}/updates/?version=0").status_code == 404


@contextlib.contextmanager
def _cdn():
    """A CDN's purge API on loopback: yields its URL and a queue of the keys each purge named."""
    received: queue.Queue = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.put(set(self.headers["Surrogate-Key"].split()))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/purge", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db(transaction=True)
def test_each_change_purges_exactly_the_story_and_the_home_page_only_when_coverage_starts_or_ends():
    """What a CDN is told: the story's key for an update's change, the home page's too for a start or an end."""
    editor = make_user("editor")
    story = make_article()
    article = f"article-{story.pk}"
    with _cdn() as (url, purged), override_settings(
            MASTHEAD_PURGE={"cdn": {"BACKEND": "masthead.delivery.purge.http", "URL": url}}):
        steps = [("start", lambda: live.start_coverage(story, by=editor), {article, "home"}),
                 ("post", lambda: post(story, "One.", by=editor), {article}),
                 ("correct", lambda: live.correct_update(LiveUpdate.objects.get(), by=editor, body="1.", note="Shorter."),
                  {article}),
                 ("pin", lambda: live.pin_update(LiveUpdate.objects.get(), by=editor), {article}),
                 ("unpin", lambda: live.pin_update(LiveUpdate.objects.get(), by=editor, pinned=False), {article}),
                 ("key event", lambda: live.mark_key_event(LiveUpdate.objects.get(), by=editor), {article}),
                 ("delete", lambda: live.delete_update(LiveUpdate.objects.get(), by=editor), {article}),
                 ("end", lambda: live.end_coverage(story, by=editor), {article, "home"})]
        for name, change, expected in steps:
            change()
            assert (name, purged.get(timeout=10)) == (name, expected)
            assert purged.empty(), f"{name} purged more than once"
