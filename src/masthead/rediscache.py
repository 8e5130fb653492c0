"""Django's Redis cache, made to ride out a Redis outage instead of answering every reader with a 500.

While Redis does not answer, each process caches and counts in its own memory, and tries Redis
again after ``RETRY_SECONDS``: readers keep being served (pages are rendered, cached briefly
per process), and rate limits keep counting per process instead of across processes. A page
kept in memory during an outage lives at most ``OUTAGE_PAGE_SECONDS``, because a purge made by
another process cannot reach it; counters and purge times (numbers) keep their lifetime.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0
OUTAGE_PAGE_SECONDS = 5


def _outage_errors() -> tuple:
    import redis

    return redis.exceptions.ConnectionError, redis.exceptions.TimeoutError


class OutageTolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._local = LocMemCache(f"masthead-outage-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 10000}})
        self._down_until = 0.0
        self._errors = _outage_errors()

    def _call(self, name: str, args, kwargs, *, fallback):
        if time.monotonic() >= self._down_until:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except self._errors as error:
                if self._down_until == 0.0 or time.monotonic() - self._down_until > RETRY_SECONDS:
                    log.warning("Redis cache unreachable (%s): caching in this process's memory for now", error)
                self._down_until = time.monotonic() + RETRY_SECONDS
        return fallback()

    def _outage_timeout(self, value, timeout):
        if isinstance(value, (int, float)):
            return timeout
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        return OUTAGE_PAGE_SECONDS if timeout is None else min(timeout, OUTAGE_PAGE_SECONDS)

    def get(self, key, default=None, version=None):
        return self._call("get", (key, default, version), {}, fallback=lambda: self._local.get(key, default, version))

    def get_many(self, keys, version=None):
        return self._call("get_many", (keys, version), {}, fallback=lambda: self._local.get_many(keys, version))

    def has_key(self, key, version=None):
        return self._call("has_key", (key, version), {}, fallback=lambda: self._local.has_key(key, version))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", (key, value, timeout, version), {},
                          fallback=lambda: self._local.set(key, value, self._outage_timeout(value, timeout), version))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", (key, value, timeout, version), {},
                          fallback=lambda: self._local.add(key, value, self._outage_timeout(value, timeout), version))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        def local():
            for key, value in data.items():
                self._local.set(key, value, self._outage_timeout(value, timeout), version)
            return []

        return self._call("set_many", (data, timeout, version), {}, fallback=local)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", (key, timeout, version), {}, fallback=lambda: self._local.touch(key, timeout, version))

    def incr(self, key, delta=1, version=None):
        return self._call("incr", (key, delta, version), {}, fallback=lambda: self._local.incr(key, delta, version))

    def delete(self, key, version=None):
        return self._call("delete", (key, version), {}, fallback=lambda: self._local.delete(key, version))

    def delete_many(self, keys, version=None):
        return self._call("delete_many", (keys, version), {}, fallback=lambda: self._local.delete_many(keys, version))

    def clear(self):
        self._local.clear()
        return self._call("clear", (), {}, fallback=lambda: None)
