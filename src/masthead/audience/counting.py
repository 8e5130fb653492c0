"""Which beacon hits count as a read, and who the reader is for the repeat rule — without keeping who they are.

A read is counted when the article page's script reports it (``/hit/<News ID>``), so a page served
by the page cache, Varnish or a CDN is counted like one Django built. Left out: bots (by their
User-Agent), pages fetched ahead by the browser (prefetch and prerender say so in ``Sec-Purpose``
or ``Purpose``) and the same reader reading the same story again within
``MASTHEAD_READ_REPEAT_SECONDS``. The reader is recognised by a hash of their address, browser and
the story under a salt that changes every day and is never written to the database: the hash lives
only as long as the repeat window, in the counter store, and no address or browser string is kept.
"""

import hashlib
import re
from types import SimpleNamespace

from django.conf import settings

from masthead import ratelimit

# Substrings of the User-Agent of crawlers, link previews, monitors and HTTP libraries (lower case).
# A browser that runs the page's script and sends none of these is a reader.
BOT_MARKERS = (
    "bot", "crawl", "spider", "slurp", "scrape", "archiver", "facebookexternalhit", "embedly", "preview",
    "mediapartners", "lighthouse", "pingdom", "uptime", "monitor", "headlesschrome", "phantomjs", "curl/",
    "wget/", "python-", "python/", "httpx", "aiohttp", "go-http-client", "java/", "okhttp", "libwww", "apache-http",
    "node-fetch", "axios/", "wrk",
)
_BOTS = re.compile("|".join(re.escape(marker) for marker in BOT_MARKERS))

# The 64-bit ids the database can hold (parameters.py bounds path ids the same way).
MAX_NEWS_ID = 2**63 - 1


def refusal(environ) -> str | None:
    """Why this beacon request is not a read ("bot", "prefetch"), or None when it is one to count."""
    agent = environ.get("HTTP_USER_AGENT", "")
    if not agent or _BOTS.search(agent.lower()):
        return "bot"
    # Chromium sends "Sec-Purpose: prefetch" (or "prefetch;prerender"); older browsers "Purpose: prefetch"
    # and Firefox "X-Moz: prefetch". A prerendered page's script waits until it is shown, but say it twice.
    purpose = " ".join(environ.get(name, "") for name in ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_MOZ",
                                                            "HTTP_X_PURPOSE")).lower()
    if "prefetch" in purpose or "prerender" in purpose or "preview" in purpose:
        return "prefetch"
    return None


def news_id(path: str) -> int | None:
    """The News ID a beacon path ``/hit/<id>`` names, or None when it names none a story could have."""
    number = path.removeprefix("/hit/")
    if number == path or not number.isascii() or not number.isdigit() or len(number) > 19:
        return None
    value = int(number)
    return value if 0 < value <= MAX_NEWS_ID else None


def reader(environ, *, story: int, salt: bytes) -> str:
    """A short hash naming one reader of one story for today's salt; it cannot be turned back into an address."""
    address = ratelimit.client_ip(SimpleNamespace(META=environ), proxy_hops=settings.PROXY_HOPS)
    agent = environ.get("HTTP_USER_AGENT", "")
    digest = hashlib.blake2b(f"{address}\0{agent}\0{story}".encode("utf-8", "replace"), key=salt, digest_size=8)
    return digest.hexdigest()
