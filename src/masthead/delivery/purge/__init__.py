"""Purging: tell every configured cache that pages built from some surrogate keys are stale.

Backends are configured like Django's CACHES, in ``settings.MASTHEAD_PURGE``::

    MASTHEAD_PURGE = {"cdn": {"BACKEND": "masthead.delivery.purge.http", "URL": "..."}}
"""

import contextlib
import contextvars
import logging
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from masthead import replicas

log = logging.getLogger(__name__)

_OWN_CACHE = "masthead.delivery.purge.pagecache"
# How long a purge takes to reach every server process: the purge log is read at most every
# fanout.POLL_SECONDS by each, a Redis message in well under this.
SPREAD_SECONDS = 0.05


@lru_cache(maxsize=None)
def _backends(config_items: tuple) -> list:
    backends = []
    for alias, options in config_items:
        options = dict(options)
        backend_class = import_string(options.pop("BACKEND") + ".Backend")
        backends.append(backend_class(alias=alias, **{k.lower(): v for k, v in options.items()}))
    return backends


def backends() -> list:
    config = tuple((alias, tuple(sorted(options.items()))) for alias, options in settings.MASTHEAD_PURGE.items())
    return _backends(config)


@dataclass(frozen=True)
class Purged:
    """What one backend did with one purge: how long from the start of the purge until it confirmed, or why not."""

    alias: str
    seconds: float
    error: str = ""


_watchers: contextvars.ContextVar[tuple] = contextvars.ContextVar("masthead_purge_watchers", default=())


@contextlib.contextmanager
def watch():
    """Collect, as a list of ``Purged``, what every purge run inside the block did (the desk reports it)."""
    seen: list[Purged] = []
    token = _watchers.set(_watchers.get() + (seen,))
    try:
        yield seen
    finally:
        _watchers.reset(token)


def purge(keys) -> None:
    """Purge ``keys`` in every backend now. A backend that fails is logged; the others still run."""
    keys = sorted(set(keys))
    if not keys:
        return
    started = time.perf_counter()
    replicas.wait_until_replayed()
    # Our own page cache first; the edges after every server process has heard of it: an edge
    # purged sooner asks a process that has not yet read the purge, and keeps the stale page it gets.
    ours = [b for b in backends() if b.__module__ == _OWN_CACHE]
    edges = [b for b in backends() if b.__module__ != _OWN_CACHE]
    _purge_in(ours, keys, started)
    if ours and edges:
        time.sleep(SPREAD_SECONDS)
    _purge_in(edges, keys, started)


def _purge_in(found: list, keys: list[str], started: float) -> None:
    for backend in found:
        error = ""
        try:
            backend.purge_many(keys)
        except Exception as problem:  # an unreachable CDN must not break publishing
            log.exception("purge of %s failed in %r", keys, backend.alias)
            error = f"{type(problem).__name__}: {problem}"[:200]
        done = Purged(alias=backend.alias, seconds=time.perf_counter() - started, error=error)
        for seen in _watchers.get():
            seen.append(done)


def purge_on_commit(keys) -> None:
    """Purge ``keys`` once the current transaction commits (at once outside a transaction)."""
    keys = set(keys)
    transaction.on_commit(lambda: purge(keys))
