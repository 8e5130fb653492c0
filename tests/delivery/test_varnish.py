"""Varnish with the shipped VCL in front of real app servers: cache, purge by key, pass, grace."""

import gzip
import os
import signal
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.test import override_settings

from masthead.stories import changes
from tests import servers
from tests.news.factories import make_article
from tests.stories.factories import SYSTEM

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str, **headers) -> tuple[str, str]:
    request = urllib.request.Request(url, headers={"Host": "localhost", **headers})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["X-Edge"], response.read().decode()


@pytest.fixture
def edge(redis_url):
    """An app server sharing this test's database and a Redis cache, behind Varnish; purges reach both."""
    env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": redis_url,
           "MASTHEAD_PAGE_CACHE_SECONDS": "2"}
    started = []
    with servers.app_server(env, started=started) as app, servers.varnish([app]) as front:
        purges = {"page-cache": {"BACKEND": "masthead.delivery.purge.pagecache"},
                  "varnish": {"BACKEND": "masthead.delivery.purge.varnish", "URLS": front}}
        caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
        with override_settings(CACHES=caches, MASTHEAD_PURGE=purges):
            from django.core.cache import cache

            cache.clear()
            yield started[0], front


def test_the_edge_caches_and_a_save_purges_it_by_surrogate_key(edge):
    """A reader's second visit is an edge hit; a save purges exactly that story's pages at the edge."""
    app, front = edge
    story = make_article(headline="Edge first headline", body="First version of the story.")
    other = make_article(headline="A story nobody touched")
    path = story.get_absolute_url()
    assert _get(front + path)[0] == "miss"
    assert _get(front + path)[0] == "hit"
    _get(front + other.get_absolute_url())
    changes.edit(story, by=SYSTEM, values={"body": "Second version of the story."})
    state, html = _get(front + path)
    assert state == "miss" and "Second version of the story." in html
    assert _get(front + other.get_absolute_url())[0] == "hit", "a purge by key leaves other stories cached"


def test_editors_posts_and_the_newsroom_pass_the_edge(edge):
    """Signed-in editors and API tokens are never answered from the edge, nor is the newsroom."""
    _, front = edge
    path = make_article().get_absolute_url()
    _get(front + path)
    assert _get(front + path, Cookie="sessionid=abc")[0] == "miss"
    assert _get(front + path, Authorization="Bearer x")[0] == "miss"
    request = urllib.request.Request(front + "/newsroom/login/", headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["X-Edge"] == "miss"


def test_purging_needs_keys_and_a_trusted_address(edge):
    """A PURGE without keys is refused with a reason; one with keys answers how many objects went."""
    _, front = edge
    request = urllib.request.Request(front + "/", method="PURGE", headers={"Host": "localhost"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400 and b"xkey-purge" in refused.value.read()
    request.add_header("xkey-purge", "home")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.read().decode().startswith("Purged ")


def test_a_stale_page_is_served_while_the_app_is_down(edge):
    """Past its lifetime a page is still served from the edge when no backend answers (grace)."""
    app, front = edge
    path = make_article(body="Kept through an outage.").get_absolute_url()
    assert _get(front + path)[0] == "miss"
    time.sleep(2.5)  # past s-maxage (MASTHEAD_PAGE_CACHE_SECONDS=2): only grace keeps it
    os.killpg(app.pid, signal.SIGKILL)
    app.wait()
    request = urllib.request.Request(front + path, headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200 and "Kept through an outage." in response.read().decode()


def _response(url: str, **headers):
    request = urllib.request.Request(url, headers={"Host": "localhost", **headers})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers, response.read()


def test_one_gzip_copy_serves_every_reader_and_app_headers_stay_behind(edge):
    """Whatever a browser's Accept-Encoding says, the edge keeps one gzip copy and sends it as stored; a
    client without gzip gets it unzipped; readers never see the surrogate keys or the app's timing."""
    _, front = edge
    story = make_article(body="One copy for every reader.")
    url = front + story.get_absolute_url()
    first, stored = _response(url, **{"Accept-Encoding": "gzip, deflate, br"})
    assert first["X-Edge"] == "miss" and first["Content-Encoding"] == "gzip"
    for spelling in ("gzip", "br;q=1.0, gzip;q=0.8, *;q=0.1", "deflate, gzip"):
        headers, body = _response(url, **{"Accept-Encoding": spelling})
        assert (headers["X-Edge"], headers["Content-Encoding"]) == ("hit", "gzip"), spelling
        assert gzip.decompress(body) == gzip.decompress(stored)
    headers, body = _response(url)
    assert headers["X-Edge"] == "hit" and headers["Content-Encoding"] is None
    assert body == gzip.decompress(stored) and "One copy for every reader." in body.decode()
    for name in ("Surrogate-Key", "xkey", "Server-Timing", "X-Cache"):
        assert headers[name] is None and first[name] is None, name
    assert headers["Vary"] == "Accept-Encoding", "browsers' and proxies' own caches still keep the forms apart"


def test_a_query_in_another_order_is_the_same_object(edge):
    """Parameters are sorted before the look-up: ``?b=2&a=1`` is a hit on ``?a=1&b=2``."""
    _, front = edge
    path = make_article().get_absolute_url()
    assert _get(front + path + "?a=1&b=2")[0] == "miss"
    assert _get(front + path + "?b=2&a=1")[0] == "hit"
