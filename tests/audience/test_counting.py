"""Which beacon requests count as reads: bots, prefetches and repeats do not; nothing identifying is kept."""

import re

import pytest
from django.test import Client, override_settings

from masthead.audience import beacon, counters, counting, folding
from masthead.audience.models import StoryReads
from tests.audience.factories import BROWSER, beacon_environ
from tests.news.factories import make_article


@pytest.fixture
def memory():
    """This process's own counter, empty before and after the test."""
    counters.memory().take()
    counters.memory()._seen.clear()
    yield counters.memory()
    counters.memory().take()
    counters.memory()._seen.clear()


@pytest.mark.parametrize("agent", [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
    "curl/8.5.0", "python-requests/2.31", "",
])
def test_bots_are_not_reads(agent):
    """Crawlers, link previews, headless browsers, HTTP libraries and a missing User-Agent are bots."""
    assert counting.refusal(beacon_environ(1, HTTP_USER_AGENT=agent)) == "bot"


@pytest.mark.parametrize("header, value", [
    ("HTTP_SEC_PURPOSE", "prefetch"), ("HTTP_SEC_PURPOSE", "prefetch;prerender"), ("HTTP_PURPOSE", "prefetch"),
    ("HTTP_X_MOZ", "prefetch"),
])
def test_prefetches_and_prerenders_are_not_reads(header, value):
    """A page fetched ahead of the reader says so, and is not counted."""
    assert counting.refusal(beacon_environ(1, **{header: value})) == "prefetch"


def test_a_browser_is_a_reader():
    assert counting.refusal(beacon_environ(1)) is None


@pytest.mark.parametrize("path", ["/hit/", "/hit/abc", "/hit/0", "/hit/-3", "/hit/12/", "/hit/٣٠٢", "/hit/" + "9" * 20,
                                  "/hit/9223372036854775808"])
def test_a_beacon_naming_no_possible_story_is_404(path):
    """Only a News ID the database could hold is counted; anything else is answered 404 and counts nothing."""
    assert beacon.hit(beacon_environ(1, PATH_INFO=path)) == (404, "no story")


def test_only_post_is_a_beacon():
    """A GET (a crawler following the address, a prefetch) is refused with 405 and counts nothing."""
    assert beacon.hit(beacon_environ(1, REQUEST_METHOD="GET")) == (405, "method")


def test_the_reader_hash_changes_with_the_salt_story_and_reader_and_holds_no_address():
    """Sixteen hex digits, different for another day's salt, story, address or browser; no address in it."""
    environ = beacon_environ(302104, REMOTE_ADDR="203.0.113.9")
    one = counting.reader(environ, story=302104, salt=b"a" * 16)
    assert re.fullmatch(r"[0-9a-f]{16}", one)
    assert one == counting.reader(environ, story=302104, salt=b"a" * 16)
    assert one != counting.reader(environ, story=302104, salt=b"b" * 16)
    assert one != counting.reader(environ, story=302105, salt=b"a" * 16)
    assert one != counting.reader({**environ, "REMOTE_ADDR": "203.0.113.10"}, story=302104, salt=b"a" * 16)
    assert one != counting.reader({**environ, "HTTP_USER_AGENT": BROWSER + " x"}, story=302104, salt=b"a" * 16)
    assert "203" not in one


@override_settings(PROXY_HOPS=1)
def test_behind_our_proxy_the_reader_is_the_forwarded_address():
    """Two readers behind the same proxy are two readers; the forged first entry is not trusted."""
    first = beacon_environ(1, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.1")
    second = beacon_environ(1, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.2")
    forged = beacon_environ(1, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.1")
    salt = b"s" * 16
    assert counting.reader(first, story=1, salt=salt) != counting.reader(second, story=1, salt=salt)
    assert counting.reader(first, story=1, salt=salt) == counting.reader(forged, story=1, salt=salt)


@pytest.mark.django_db
def test_reads_bots_prefetches_and_repeats_without_redis(memory):
    """In memory: a reader counts once per window, another reader counts, bots and prefetches never; folded to the table."""
    story = make_article()
    answers = [beacon.hit(beacon_environ(story.pk)), beacon.hit(beacon_environ(story.pk)),
               beacon.hit(beacon_environ(story.pk, REMOTE_ADDR="198.51.100.8")),
               beacon.hit(beacon_environ(story.pk, HTTP_USER_AGENT="Googlebot/2.1")),
               beacon.hit(beacon_environ(story.pk, HTTP_SEC_PURPOSE="prefetch"))]
    assert answers == [(204, "counted"), (204, "repeat"), (204, "counted"), (204, "bot"), (204, "prefetch")]
    assert folding.fold() == 1
    assert list(StoryReads.objects.values_list("story_id", "count")) == [(story.pk, 2)]


@pytest.mark.django_db
@override_settings(READ_REPEAT_SECONDS=60)
def test_a_repeat_after_the_window_is_a_new_read(memory):
    """The same reader an hour later (past MASTHEAD_READ_REPEAT_SECONDS) is counted again, in that hour."""
    story = make_article()
    start = 1_800_000_000.0
    assert beacon.hit(beacon_environ(story.pk), now=start) == (204, "counted")
    assert beacon.hit(beacon_environ(story.pk), now=start + 59) == (204, "repeat")
    assert beacon.hit(beacon_environ(story.pk), now=start + 3600) == (204, "counted")
    folding.fold()
    assert sorted(StoryReads.objects.values_list("count", flat=True)) == [1, 1]


@pytest.mark.django_db
def test_counts_of_a_story_that_does_not_exist_are_dropped(memory):
    """A beacon for a News ID no story has is answered like any other, and folding drops it without error."""
    story = make_article()
    assert beacon.hit(beacon_environ(story.pk + 1000)) == (204, "counted")
    assert beacon.hit(beacon_environ(story.pk)) == (204, "counted")
    assert folding.fold() == 1
    assert list(StoryReads.objects.values_list("story_id", flat=True)) == [story.pk]


@pytest.mark.django_db
def test_the_memory_counter_keeps_no_address_or_browser(memory):
    """What the process holds between flushes: reader hashes with their expiry, and counts per story and hour."""
    story = make_article()
    beacon.hit(beacon_environ(story.pk, REMOTE_ADDR="203.0.113.77"))
    held = repr(memory._seen) + repr(memory._pending)
    assert "203.0.113.77" not in held and "Firefox" not in held
    assert all(re.fullmatch(r"[0-9a-f]{16}", key) for key in memory._seen)


@pytest.mark.django_db
def test_the_beacon_through_django_answers_204_without_a_csrf_token(memory):
    """Under any WSGI server the beacon is a POST with no token, answered 204, never cached."""
    client = Client(enforce_csrf_checks=True)
    story = make_article()
    response = client.post(f"/hit/{story.pk}", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 204
    assert response["Cache-Control"] == "no-store"
    assert client.get(f"/hit/{story.pk}", HTTP_USER_AGENT=BROWSER).status_code == 405
    assert client.post("/hit/not-a-number", HTTP_USER_AGENT=BROWSER).status_code == 404
    folding.fold()
    assert StoryReads.objects.get().count == 1


@pytest.mark.django_db
def test_fold_reads_reports_what_it_wrote(memory):
    """``masthead fold_reads`` folds this process's counts and says how many story-hours it wrote."""
    from io import StringIO

    from django.core.management import call_command

    story = make_article()
    beacon.hit(beacon_environ(story.pk))
    out = StringIO()
    call_command("fold_reads", stdout=out)
    assert out.getvalue() == "Folded 1 story-hour count(s) into StoryReads.\n"
    assert StoryReads.objects.get().count == 1


@pytest.mark.django_db
def test_the_wsgi_front_answers_the_beacon_before_django(memory, monkeypatch):
    """Under masthead.wsgi a beacon never reaches Django: 204, no-store, counted; other addresses pass through."""
    monkeypatch.setattr(counters, "background", None)  # restored after: no flushing thread in the tests
    passed = []
    front = beacon.BeaconFront(lambda environ, start_response: passed.append(environ["PATH_INFO"]) or [b"page"])
    story = make_article()
    answers = []
    body = front(beacon_environ(story.pk), lambda status, headers: answers.append((status, dict(headers))))
    assert body == [b""] and answers == [("204 No Content", {"Cache-Control": "no-store", "Content-Length": "0"})]
    front(beacon_environ(story.pk, REQUEST_METHOD="GET"), lambda status, headers: answers.append((status, dict(headers))))
    assert answers[-1][0] == "405 Method Not Allowed" and answers[-1][1]["Allow"] == "POST"
    assert front(beacon_environ(story.pk, PATH_INFO="/news/1/"), None) == [b"page"] and passed == ["/news/1/"]
    assert folding.fold() == 1
    assert StoryReads.objects.get().count == 1
