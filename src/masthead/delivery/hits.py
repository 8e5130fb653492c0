"""Answering a request from a cached page: its encoding, validators, 304 and the page timer.

Used by the WSGI front (``front``), before Django builds a request, and by the delivery
middleware for pages it has just built, so both answer alike.
"""

import time
from email.utils import parsedate_to_datetime

from masthead import house
from masthead.delivery import compression
from masthead.delivery.pagecache import GZIP_ANSWERS_KEPT, CachedPage

# Headers a 304 repeats (RFC 9110, 15.4.5), besides the validators.
NOT_MODIFIED_HEADERS = {"cache-control", "content-location", "expires", "surrogate-key", "last-modified"}


def _not_modified(environ, *, etag: str, last_modified: str | None) -> bool:
    wanted = environ.get("HTTP_IF_NONE_MATCH")
    if wanted is not None:
        # If-None-Match compares weakly (RFC 9110, 13.1.2).
        tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since and last_modified:
        try:
            return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def answer(page: CachedPage, environ, *, started: float, hit: bool) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body answering ``environ`` from ``page``; ``started`` is its perf_counter()."""
    status, stored, own, body = parts(page, environ, started=started, hit=hit)
    return status, [*stored, *own], body


def parts(page: CachedPage, environ, *, started: float, hit: bool):
    """``answer``'s status, the page's stored headers (``page.headers`` or ``page.gzip_headers`` itself,
    or an empty tuple), the headers of this answer alone, and the body: a server that writes bytes
    can keep each stored tuple's encoding with the page."""
    gzipped = bool(page.gzip) and compression.accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))
    state = "hit" if hit else "miss"
    if page.status == 200 and ("HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ):
        etag = compression.gzip_etag(page.etag) if gzipped else page.etag
        if _not_modified(environ, etag=etag, last_modified=page.last_modified):
            headers = page.gzip_headers if gzipped else page.headers
            kept = [(n, v) for n, v in headers if n.lower() in NOT_MODIFIED_HEADERS or n in ("Vary", "ETag")]
            elapsed = time.perf_counter() - started
            kept += [("Server-Timing", f'app;dur={elapsed * 1000:.3f}, cache;desc="{state}"'), ("X-Cache", state)]
            return 304, (), kept, b""
    return whole_parts(page, gzipped=gzipped, head=environ.get("REQUEST_METHOD") == "HEAD", started=started, state=state)


def whole(page: CachedPage, *, gzipped: bool, head: bool, started: float, state: str = "hit"):
    """Status, headers and body of ``page`` in full, plain or gzipped, its footer's timer filled in.

    The stored headers are copied as they are; only the length, the timing and the cache state
    are added per response. A gzip body made for a figure is kept with the page, so the next hit
    that took as long sends the same bytes without splicing them again.
    """
    status, stored, own, body = whole_parts(page, gzipped=gzipped, head=head, started=started, state=state)
    return status, [*stored, *own], body


def whole_parts(page: CachedPage, *, gzipped: bool, head: bool, started: float, state: str = "hit"):
    """``whole``'s answer as ``parts`` gives it."""
    figure = house.seconds(time.perf_counter() - started, language=page.language)
    if gzipped:
        answer = page.gzip_answers.get(figure)
        if answer is None:
            body = compression.gzip_fill(page.gzip, head_crc=page.head_crc, head_size=page.head_size,
                                         tail=page.tail, filler=figure.encode())
            answer = (body, str(len(body)))
            if len(page.gzip_answers) >= GZIP_ANSWERS_KEPT:
                page.gzip_answers.clear()
            page.gzip_answers[figure] = answer
        body, length = answer
        stored = page.gzip_headers
    else:
        body = figure.encode().join(page.texts)
        length = str(len(body))
        stored = page.headers
    own = (("Content-Length", length),
           ("Server-Timing", f'app;dur={(time.perf_counter() - started) * 1000:.3f}, cache;desc="{state}"'),
           ("X-Cache", state))
    return page.status, stored, own, b"" if head else body
