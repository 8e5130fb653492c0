"""The Redis cache rides out a Redis outage: readers are served, limits count per process, Redis is used again after."""

import time

import pytest
from django.test import override_settings

from masthead import rediscache
from tests import servers
from tests.news.factories import make_article


def _cache(url: str) -> rediscache.OutageTolerantRedisCache:
    return rediscache.OutageTolerantRedisCache(url, {"OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}})


def test_values_go_to_redis_while_it_answers(redis_url):
    """With Redis up, what one cache object stores another (another process) reads."""
    one, two = _cache(redis_url), _cache(redis_url)
    one.set("story", "302104", 30)
    assert two.get("story") == "302104"
    one.add("count", 0, 30)
    assert two.incr("count") == 1


def test_an_outage_falls_back_to_memory_quickly_and_recovers():
    """Redis down: reads miss at once, writes and counts go to memory; Redis is tried again a second later."""
    with servers.redis() as url:
        cache = _cache(url)
        cache.set("kept", "in redis", 30)
    # The server is gone now.
    started = time.monotonic()
    assert cache.get("kept") is None
    cache.add("limit", 0, 300)
    assert cache.incr("limit") == 1 and cache.incr("limit") == 2
    assert time.monotonic() - started < 2, "an outage must not cost every call a timeout"
    page = {"body": b"<p>page</p>", "keys": ("home",)}  # a page, as any value that is not a number
    cache.set("page", page, 300)
    assert cache._local._expire_info[cache._local.make_and_validate_key("page")] <= time.time() + 5.5, \
        "a page kept in memory during an outage lives seconds, since no other process can purge it"
    assert cache._local._expire_info[cache._local.make_and_validate_key("limit")] > time.time() + 250, \
        "a counter keeps its window"


def test_a_stalled_redis_is_left_then_used_again(redis_url):
    """Redis that stops answering costs one short timeout; a second later the cache goes back to it."""
    import redis

    cache = _cache(redis_url)
    cache.set("kept", "in redis", 30)
    redis.Redis.from_url(redis_url).execute_command("CLIENT", "PAUSE", "1500", "ALL")
    started = time.monotonic()
    assert cache.get("kept") is None, "a stalled Redis is a miss, not a wait"
    assert cache.get("kept") is None
    assert time.monotonic() - started < 1.2
    time.sleep(1.6 + rediscache.RETRY_SECONDS)
    assert cache.get("kept") == "in redis"


@pytest.mark.django_db
def test_readers_are_served_while_redis_is_down(client):
    """Every reader page still answers 200 with the shared cache unreachable."""
    port = servers.free_port()
    caches = {"default": {"BACKEND": "masthead.rediscache.OutageTolerantRedisCache",
                          "LOCATION": f"redis://127.0.0.1:{port}/0",
                          "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}}}
    story = make_article()
    with override_settings(CACHES=caches):
        for path in ("/", story.get_absolute_url(), story.get_absolute_url(), "/feeds/rss/"):
            assert client.get(path).status_code == 200, path
