"""Fixed-window rate limits kept in the shared cache, so they hold across processes and machines.

Comment posting and newsroom sign-in count with the same functions.

With ``MASTHEAD_CACHE_URL`` pointing at Redis every worker counts in the same place (Redis
``INCR`` is atomic); with the default local-memory cache each process counts alone, which is
only right for a single process. Limits are written ``COUNT/SECONDS``, e.g. ``5/300``.
"""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str, *, setting: str) -> "Limit":
        try:
            count, seconds = (int(part) for part in text.split("/"))
            if count < 1 or seconds < 1:
                raise ValueError
        except ValueError:
            raise ImproperlyConfigured(f"{setting}={text!r} is not a limit like '5/300' (5 per 300 seconds).") from None
        return cls(count, seconds)


def _key(scope: str, subject: str, limit: Limit) -> str:
    window = int(time.time() // limit.seconds)
    digest = hashlib.blake2b(subject.encode(), digest_size=12).hexdigest()
    return f"rl:{scope}:{limit.seconds}:{digest}:{window}"


def retry_after(limit: Limit) -> int:
    """Seconds until the current window ends."""
    return max(1, limit.seconds - int(time.time()) % limit.seconds)


def hit(scope: str, subject: str, limit: Limit) -> bool:
    """Count one event for ``subject``; True while the count is within the limit."""
    key = _key(scope, subject, limit)
    cache.add(key, 0, timeout=limit.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the counter expired between add and incr: this is the window's first event
        cache.add(key, 1, timeout=limit.seconds + 1)
        count = 1
    return count <= limit.count


def exceeded(scope: str, subject: str, limit: Limit) -> bool:
    """Whether ``subject`` has used up the limit in this window, without counting anything."""
    return (cache.get(_key(scope, subject, limit)) or 0) >= limit.count


def client_ip(request, *, proxy_hops: int) -> str:
    """The reader's address: REMOTE_ADDR, or the X-Forwarded-For entry added by our own first proxy.

    Only the last ``proxy_hops`` entries were written by proxies we run; anything before them
    came from the client and can be forged, so it is never trusted.
    """
    if proxy_hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxy_hops:
            return forwarded[-proxy_hops]
    return request.META.get("REMOTE_ADDR", "")


def reset(scope: str, subject: str, limit: Limit) -> None:
    """Forget what ``subject`` has used of the limit in this window (an administrator's unlock)."""
    cache.delete(_key(scope, subject, limit))
