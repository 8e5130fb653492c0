"""Several app servers sharing one database and one Redis behave as one site."""

import time
import urllib.request

import pytest
from django.db import connection
from django.test import override_settings

from masthead.stories import changes
from tests import servers
from tests.news.factories import make_article
from tests.stories.factories import SYSTEM

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str) -> tuple[str, str]:
    # Behind a load balancer every server sees the site's own host name, whatever its port.
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["X-Cache"], response.read().decode()


def _seen_within(url: str, text: str, *, seconds: float = 1.0) -> float:
    """How long until ``url`` shows ``text`` (purges reach other processes through pub/sub, in milliseconds)."""
    started = time.monotonic()
    while text not in _get(url)[1]:
        assert time.monotonic() - started < seconds, f"{url} still without {text!r} after {seconds} s"
        time.sleep(0.005)
    return time.monotonic() - started


def test_publish_on_one_server_is_seen_on_another(redis_url):
    """A page cached through one server is a hit on another; an edit purges it on both within a second
    (one granian, answering held hits on its event loop, one gunicorn)."""
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": redis_url}}):
        from django.core.cache import cache

        cache.clear()
        story = make_article(body="First version of the story.")
        env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": redis_url}
        with servers.app_server(env, server="granian", start_seconds=90) as one, \
                servers.app_server(env, start_seconds=90) as two:
            path = story.get_absolute_url()
            assert _get(one + path)[0] == "miss"
            state, html = _get(two + path)
            assert state == "hit", "the second server must answer from the shared cache"
            assert "First version of the story." in html
            changes.edit(story, by=SYSTEM, values={"body": "Second version of the story."})
            for base in (one, two):
                _seen_within(base + path, "Second version of the story.")
            assert _get(one + path)[0] == "hit"
            # Now each server holds the page in its own memory: a purge must reach both through Redis.
            for base in (one, two):
                assert _get(base + path)[0] == "hit"
            changes.edit(story, by=SYSTEM, values={"body": "Third version of the story."})
            for base in (one, two):
                _seen_within(base + path, "Third version of the story.")
        cache.clear()


def test_an_edit_from_another_server_process_reaches_each_server_memory(redis_url):
    """A purge published by a process that is not serving (a CLI) reaches both servers' own memory."""
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": redis_url}}):
        from django.core.cache import cache

        story = make_article(headline="Before", body="Old body.")
        env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": redis_url}
        with servers.app_server(env, start_seconds=90) as one, \
                servers.app_server(env, workers=2, server="granian", start_seconds=90) as two:
            path = story.get_absolute_url()
            for base in (one, two, two, one, two, two):
                _get(base + path)
            changes.edit(story, by=SYSTEM, values={"body": "New body."})
            for base in (one, two):
                _seen_within(base + path, "New body.")
            for base in (one, two, two, two):
                assert "New body." in _get(base + path)[1], "once seen, seen by every worker"
        cache.clear()
