"""The full-page cache for anonymous readers, invalidated by surrogate key.

Every cached page remembers the surrogate keys it was built from (``article-302104``,
``section-3``, ``home``...) and when its rendering began; a page rendered before the latest
purge of any of its keys is a miss (see ``fanout``). A purge therefore costs one line or one
message per change, whatever the number of pages.

Pages live in each process's memory, bounded by ``MASTHEAD_PAGE_CACHE_BYTES`` (least recently
used first out), and with Redis also in the shared cache, where a process that has not built a
page finds it. Each is kept in its stored forms: the text and its gzip pieces, so a hit
compresses nothing.

A page is cached under its host, its path and only the query parameters it reads (its
``reads``): ``/?cb=1`` shares the home page's entry, so random query strings cannot fill the
cache; a request carrying a parameter the page reads with a value it did not cache is a miss.
"""

import hashlib
import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache

from masthead.delivery import compression, fanout

SHARED_PREFIX = "page:"
SHARED_KEY_PREFIX = "skey:"
# Placeholder for the footer's generation time, filled in per response (see ``hits``).
TIMING_MARK = b"@@MASTHEAD_GENERATED@@"
# Every query parameter a cacheable page reads (``news.caching.cacheable(reads=...)``): the
# cache key keeps these and drops any other, before the page is known.
# (``month``, ``nid``, ``pid`` and ``q`` are the e-paper's calendar, old addresses and marked word.)
KEYED_PARAMS = frozenset({"after", "author", "before", "comment", "cursor", "id", "language", "limit", "month", "nid", "p", "pid", "q",
                          "section", "since", "tag", "version"})
# What an entry costs beyond its bodies: the object, its headers and keys, the map's slot.
ENTRY_OVERHEAD = 1024
# gzip answers kept per page, by the footer's figure (see ``hits.whole``): hits take a few tenths of
# a millisecond, so a handful of figures ("0.0001", "0.0002") answer nearly all of them.
GZIP_ANSWERS_KEPT = 2


@dataclass(frozen=True)
class CachedPage:
    texts: tuple[bytes, ...]  # the text, split where TIMING_MARK held the footer's figure
    gzip: tuple[bytes, ...]  # compression.gzip_pieces(body), or () for a type not compressed
    head_crc: int  # CRC-32 of the text before the first mark
    head_size: int
    headers: tuple[tuple[str, str], ...]  # what every answer of the plain text carries (ETag, Vary included)
    gzip_headers: tuple[tuple[str, str], ...]  # the same for the gzip form
    last_modified: str | None
    language: str  # of the page's figures: the footer's timing is written in its digits
    status: int
    keys: tuple[str, ...]
    reads: frozenset
    strict: bool  # a parameter the page does not read is refused by it, so it is not a hit
    etag: str
    rendered_at: float
    expires: float
    # gzip bodies already answered, by the footer's figure; filled per process, never shared.
    gzip_answers: dict = field(default_factory=dict, compare=False, repr=False)
    # ``headers`` and ``gzip_headers`` as a server writes them, by form (see ``hitserver``); per process.
    wire: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def tail(self) -> tuple[bytes, ...]:
        """The texts after each mark."""
        return self.texts[1:]

    @property
    def size(self) -> int:
        gzip_size = sum(map(len, self.gzip))
        wire = sum(len(name) + len(value) + 4 for name, value in self.headers + self.gzip_headers)
        return sum(map(len, self.texts)) + gzip_size * (1 + GZIP_ANSWERS_KEPT) + wire + ENTRY_OVERHEAD

    def __getstate__(self):
        return {**self.__dict__, "gzip_answers": {}, "wire": {}}


def make_page(*, body: bytes, headers, status: int, keys, reads, strict: bool, etag: str, content_type: str,
              language: str, rendered_at: float, lifetime: float) -> CachedPage:
    """A page ready to store, its compressed form made once here."""
    texts = body.split(TIMING_MARK)
    pieces = compression.gzip_pieces(body, TIMING_MARK) if compression.compressible(content_type) else ()
    vary = [value for name, value in headers if name.lower() == "vary"] + (["Accept-Encoding"] if pieces else [])
    common = [(name, value) for name, value in headers if name.lower() != "vary"] + ([("Vary", ", ".join(vary))] if vary else [])
    return CachedPage(texts=tuple(texts), gzip=pieces, head_crc=zlib.crc32(texts[0]), head_size=len(texts[0]),
                      headers=tuple(common + [("ETag", etag)]),
                      gzip_headers=tuple(common + [("ETag", compression.gzip_etag(etag)), ("Content-Encoding", "gzip")]) if pieces else (),
                      last_modified=next((value for name, value in headers if name.lower() == "last-modified"), None),
                      language=language, status=status, keys=tuple(sorted(set(keys))), reads=frozenset(reads),
                      strict=strict, etag=etag, rendered_at=rendered_at, expires=time.time() + lifetime)


def _query_names(query: str) -> set[str]:
    return {name for name, _ in parse_qsl(query, keep_blank_values=True)}


def page_key(environ) -> str:
    """The cache key of the page a request asks for: host, path and the parameters pages read."""
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"
    return key_of(host=host, path=environ.get("PATH_INFO", ""), query=environ.get("QUERY_STRING", ""))


def key_of(*, host: str, path: str, query: str) -> str:
    """``page_key`` from the request's parts (``path`` and ``query`` as a WSGI environ holds them)."""
    if query:
        query = urlencode(sorted((k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k in KEYED_PARAMS))
    return f"{host}|{path}|{query}"


def _shared_key(key: str) -> str:
    return SHARED_PREFIX + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


def _shared() -> bool:
    return "redis" in settings.CACHES["default"]["BACKEND"]


class Memory:
    """This process's pages, least recently used first out past a byte budget."""

    def __init__(self):
        self.pages: OrderedDict[str, CachedPage] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> CachedPage | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: str, page: CachedPage) -> None:
        budget = settings.PAGE_CACHE_BYTES
        if page.size > budget:
            return
        with self.lock:
            old = self.pages.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self.pages[key] = page
            self.bytes += page.size
            while self.bytes > budget:
                _, evicted = self.pages.popitem(last=False)
                self.bytes -= evicted.size

    def drop(self, key: str) -> None:
        with self.lock:
            old = self.pages.pop(key, None)
            if old is not None:
                self.bytes -= old.size

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.bytes = 0


memory = Memory()
# Purges missed while a process was deaf to the channel may concern what it holds.
fanout.on_resubscribe.append(memory.clear)


def _current(page: CachedPage) -> bool:
    return page.expires > time.time() and not fanout.purged_since(page.keys, page.rendered_at)


def _answers(page: CachedPage, environ) -> bool:
    return answers(page, environ.get("QUERY_STRING", ""))


def held(key: str) -> CachedPage | None:
    """The current page this process holds under ``key``, if it heard every purge: no round trip."""
    channel = fanout.current()
    channel.poll()
    if not channel.live:
        return None
    page = memory.get(key)
    if page is not None and not _current(page):
        memory.drop(key)
        return None
    return page


def fetch(environ) -> CachedPage | None:
    """The cached page for this request (a WSGI environ), if it is still current."""
    key = page_key(environ)
    page = held(key)
    if page is None and _shared():
        page = cache.get(_shared_key(key))
        if page is not None and (not _current(page) or _purged_in_shared_store(page)):
            page = None
        if page is not None and fanout.current().live:
            memory.put(key, page)
    if page is None or not _answers(page, environ):
        return None
    return page


def answers(page: CachedPage, query: str) -> bool:
    """Whether ``page`` answers a request with this query: a strict page refuses parameters it does not read."""
    return not page.strict or not query or not (_query_names(query) - page.reads)


def storable(environ, reads) -> bool:
    """Whether a page reading the parameters ``reads`` may be stored under this request's key.

    A request carrying a keyed parameter the page ignores (``/?before=…`` on the home page) would
    make an entry per value: it is answered but not stored.
    """
    query = environ.get("QUERY_STRING", "")
    return not query or not ((_query_names(query) & KEYED_PARAMS) - set(reads))


def store(environ, page: CachedPage) -> None:
    """Keep ``page`` for this request until it expires or a key of it is purged."""
    lifetime = page.expires - time.time()
    if lifetime <= 0:
        return
    key = page_key(environ)
    memory.put(key, page)
    if _shared():
        cache.set(_shared_key(key), page, timeout=max(1, int(lifetime) + 1))


def _purged_in_shared_store(page: CachedPage) -> bool:
    found = cache.get_many([SHARED_KEY_PREFIX + k for k in page.keys]) if page.keys else {}
    return any(purged >= page.rendered_at for purged in found.values())


def purge_keys(keys) -> None:
    """Make every cached page built from any of ``keys`` stale, in every process and host."""
    keys = sorted(set(keys))
    if not keys:
        return
    at = time.time()
    if _shared():
        # Kept a day past the longest page lifetime: older pages have expired anyway.
        cache.set_many({SHARED_KEY_PREFIX + k: at for k in keys}, timeout=settings.PAGE_CACHE_SECONDS + 86400)
    fanout.current().publish(keys, at)


def usage() -> tuple[int, int]:
    """How many pages this process holds and their bytes."""
    return len(memory.pages), memory.bytes


def clear() -> None:
    """Forget every page this process holds (the shared cache's go with ``cache.clear()``)."""
    memory.clear()
