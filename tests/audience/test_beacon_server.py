"""On a real server, a page served from the page cache or from Varnish is still counted, once per reader."""

import os
import shutil
import time
import urllib.error
import urllib.request

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings

from masthead.audience import folding
from masthead.audience.models import StoryReads
from tests import servers
from tests.audience.factories import BROWSER
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)


def _page(url: str) -> tuple[str, str, str]:
    request = urllib.request.Request(url, headers={"Host": "localhost", "User-Agent": BROWSER})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers.get("X-Cache", ""), response.headers.get("X-Edge", ""), response.read().decode()


def _beacon(url: str, *, agent: str = BROWSER, **headers):
    request = urllib.request.Request(url, data=b"", method="POST",
                                     headers={"Host": "localhost", "User-Agent": agent, **headers})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers.get("Cache-Control"), response.read()


def _reads(story) -> int:
    row = StoryReads.objects.filter(story=story).first()
    return row.count if row else 0


def _wait_for_reads(story, expected: int, *, seconds: float = 8) -> int:
    deadline = time.monotonic() + seconds
    while _reads(story) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return _reads(story)


@pytest.mark.parametrize("server", ["gunicorn", "granian", "uvicorn"])  # the beacon is answered by the ASGI and the RSGI front
def test_a_page_from_the_page_cache_is_counted_without_redis(server):
    """Served from the page cache, the page names its beacon; each reader's beacon is counted, bots and repeats not."""
    story = make_article()
    env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": ""}
    with servers.app_server(env, server=server) as base:
        url = base + story.get_absolute_url()
        assert _page(url)[0] == "miss"
        cached, _, html = _page(url)
        assert cached == "hit"
        assert f'data-hit="/hit/{story.pk}"' in html
        hit = base + f"/hit/{story.pk}"
        assert _beacon(hit) == (204, "no-store", b"")
        with pytest.raises(urllib.error.HTTPError, match="405"):
            _page(hit)
        with pytest.raises(urllib.error.HTTPError, match="404"):
            _beacon(base + "/hit/not-a-story")
        _beacon(hit)  # the same reader again: not counted
        _beacon(hit, agent=BROWSER + " (second reader)")
        _beacon(hit, agent="Mozilla/5.0 (compatible; Googlebot/2.1)")
        _beacon(hit, agent=BROWSER + " (prefetching)", **{"Sec-Purpose": "prefetch"})
        assert _wait_for_reads(story, 2) == 2, "the server adds its counts to the table within seconds"
        time.sleep(2.5)
        assert _reads(story) == 2


def test_two_workers_count_one_reader_once_with_redis(redis_url):
    """With Redis, a reader's repeat sent to another worker is not counted; the fold brings the count into the table."""
    story = make_article()
    env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": redis_url}
    with servers.app_server(env, workers=2) as base:
        assert _page(base + story.get_absolute_url())[0] in {"miss", "hit"}
        for _ in range(10):  # spread over both workers
            assert _beacon(base + f"/hit/{story.pk}")[0] == 204
        _beacon(base + f"/hit/{story.pk}", agent=BROWSER + " (second reader)")
    with override_settings(CACHES={"default": {"BACKEND": "masthead.rediscache.OutageTolerantRedisCache",
                                               "LOCATION": redis_url}}):
        folding.fold()
        caches["default"].clear()
    assert _reads(story) == 2


@pytest.mark.skipif(not (shutil.which("varnishd") or os.path.exists("/usr/sbin/varnishd")), reason="varnishd absent")
def test_a_page_from_varnish_is_counted(redis_url):
    """Varnish answers the page itself; the beacon passes through it to the app and is counted."""
    story = make_article()
    env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": ""}
    with servers.app_server(env) as app, servers.varnish([app]) as front:
        url = front + story.get_absolute_url()
        deadline = time.monotonic() + 15
        while True:  # Varnish serves once its health probe has seen the app answer
            try:
                _page(url)
                break
            except urllib.error.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        _, edge, html = _page(url)
        assert edge == "hit"
        assert f'data-hit="/hit/{story.pk}"' in html
        assert _beacon(front + f"/hit/{story.pk}")[0] == 204
        assert _beacon(front + f"/hit/{story.pk}", agent=BROWSER + " (second reader)")[0] == 204
        assert _wait_for_reads(story, 2) == 2
