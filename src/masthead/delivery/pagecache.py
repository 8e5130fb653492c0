"""The full-page cache for anonymous readers, invalidated by surrogate key.

Every cached page remembers the surrogate keys it was built from (``article-302104``,
``section-3``, ``home``...) and when its rendering began. Purging a key records the time of the
purge in the shared cache; a page rendered before the latest purge of any of its keys is a miss.
A purge therefore costs one write per key, whatever the number of pages, and works across
processes and machines when the cache is Redis (machines' clocks are assumed to be in step,
as NTP keeps them).
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

PAGE_PREFIX = "page:"
KEY_PREFIX = "skey:"
# Placeholder for the footer's generation time, filled in per response (see middleware).
TIMING_MARK = b"@@MASTHEAD_GENERATED@@"


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    status: int
    keys: tuple[str, ...]
    rendered_at: float
    expires: float


def page_key(request) -> str:
    """The cache key of the page for this request: host, path and query string."""
    raw = f"{request.get_host()}|{request.path}|{request.META.get('QUERY_STRING', '')}"
    return PAGE_PREFIX + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def _purged_since(keys, moment: float) -> bool:
    found = cache.get_many([KEY_PREFIX + k for k in keys]) if keys else {}
    return any(purged >= moment for purged in found.values())


def fetch(request) -> CachedPage | None:
    """The cached page for this request, if it is still current."""
    page = cache.get(page_key(request))
    if page is None:
        return None
    if page.expires <= time.time() or _purged_since(page.keys, page.rendered_at):
        return None
    return page


def store(request, *, body: bytes, headers, status: int, keys, rendered_at: float, lifetime: float) -> None:
    """Keep a page rendered from ``rendered_at`` on for ``lifetime`` seconds, or until a key is purged.

    ``rendered_at`` is when the request began, before any query: a purge that races with the
    rendering is then later than it, and the page is stale at once instead of stale for minutes.
    """
    if lifetime <= 0:
        return
    page = CachedPage(body=body, headers=tuple(headers), status=status, keys=tuple(keys),
                      rendered_at=rendered_at, expires=time.time() + lifetime)
    cache.set(page_key(request), page, timeout=max(1, int(lifetime) + 1))


def purge_keys(keys) -> None:
    """Make every cached page built from any of ``keys`` stale."""
    keys = set(keys)
    if keys:
        # Kept a day past the longest page lifetime: older pages have expired anyway.
        cache.set_many({KEY_PREFIX + k: time.time() for k in keys}, timeout=settings.PAGE_CACHE_SECONDS + 86400)
