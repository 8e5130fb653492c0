"""Delivery: the page cache, compression, conditional GET, CDN headers and the truthful page timer.

This middleware comes first. Behind the WSGI front (``front``) it sees only misses and requests
that bypass the cache; it also answers hits itself, for the Django handler used without the front
(the test client, ``runserver``). The stored headers carry what the other middleware added when
the page was built.
"""

import hashlib
import time
from email.utils import formatdate

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils import translation
from django.utils.http import parse_http_date_safe

from masthead import house
from masthead.delivery import cachefront, compression, hits, pagecache
from masthead.delivery import keys as surrogate

# Headers not replayed from the cache: they belong to the response that first built the page,
# or are set per response (see ``hits``).
NOT_STORED = {"set-cookie", "server-timing", "date", "content-length", "etag", "x-cache", "content-encoding"}


class DeliveryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        rendered_at = time.time()
        environ = request.META
        cacheable = not cachefront.bypasses_cache(environ)
        if cacheable:
            page = pagecache.fetch(environ)
            if page is not None:
                return _response(*hits.answer(page, environ, started=started, hit=True))

        response = self.get_response(request)
        keys = getattr(response, "surrogate_keys", None)
        if keys is None or response.streaming:
            return _finish(request, response, started)
        keys = set(keys) | surrogate.carried(request)
        _label(response, keys)
        reads = getattr(response, "cache_reads", frozenset())
        if not (cacheable and _storable(response) and pagecache.storable(environ, reads)):
            return _finish(request, response, started)
        lifetime = min(settings.PAGE_CACHE_SECONDS, getattr(response, "cache_lifetime", settings.PAGE_CACHE_SECONDS))
        page = pagecache.make_page(
            body=response.content,
            headers=[(k, v) for k, v in response.items() if k.lower() not in NOT_STORED],
            status=response.status_code, keys=keys, reads=reads, strict=getattr(response, "cache_strict", False),
            etag=response["ETag"], content_type=response.get("Content-Type", ""),
            language=_language(request),
            rendered_at=rendered_at, lifetime=lifetime,
        )
        pagecache.store(environ, page)
        return _response(*hits.answer(page, environ, started=started, hit=False))


def _response(status: int, headers, body: bytes) -> HttpResponse:
    response = HttpResponse(body, status=status)
    for name, value in headers:
        response[name] = value
    return response


def _storable(response) -> bool:
    return (
        response.status_code == 200
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
    )


def _label(response, keys) -> None:
    """Headers for browsers and CDNs: validators, lifetime and the surrogate keys to purge by."""
    if not response.has_header("ETag"):
        response["ETag"] = '"%s"' % hashlib.blake2b(response.content, digest_size=12).hexdigest()
    last_modified = getattr(response, "last_modified", None)
    if last_modified is not None and not response.has_header("Last-Modified"):
        response["Last-Modified"] = formatdate(last_modified.timestamp(), usegmt=True)
    lifetime = min(settings.BROWSER_MAX_AGE, int(getattr(response, "cache_lifetime", settings.BROWSER_MAX_AGE)))
    shared = min(settings.PAGE_CACHE_SECONDS, int(getattr(response, "cache_lifetime", settings.PAGE_CACHE_SECONDS)))
    if not response.has_header("Cache-Control"):
        response["Cache-Control"] = f"public, max-age={max(0, lifetime)}, s-maxage={max(0, shared)}"
    response["Surrogate-Key"] = " ".join(sorted(set(keys)))


def _language(request) -> str:
    """The page's language: its edition's (set while the request ran, see masthead.editions)."""
    return getattr(request, "LANGUAGE_CODE", None) or translation.get_language() or settings.LANGUAGE_CODE


def _finish(request, response, started):
    """A response the page cache does not keep: the timer filled in, compressed if the client accepts it,
    304 when the client's copy is current."""
    if not response.streaming and pagecache.TIMING_MARK in response.content:
        response.content = response.content.replace(
            pagecache.TIMING_MARK, house.seconds(time.perf_counter() - started, language=_language(request)).encode())
    if (not response.streaming and len(response.content) >= compression.MIN_BYTES
            and not response.has_header("Content-Encoding")
            and compression.compressible(response.get("Content-Type", ""))):
        vary = response.get("Vary")
        response["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
        if compression.accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            response.content = compression.gzip_now(response.content)
            response["Content-Encoding"] = "gzip"
            if response.has_header("ETag"):
                response["ETag"] = compression.gzip_etag(response["ETag"])
    if response.has_header("Content-Length") and not response.streaming:
        response["Content-Length"] = str(len(response.content))
    if request.method in ("GET", "HEAD") and response.status_code == 200 and (
            response.has_header("ETag") or response.has_header("Last-Modified")):
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        response = get_conditional_response(request, etag=response.get("ETag"), last_modified=last_modified,
                                            response=response)
    elapsed = time.perf_counter() - started
    response["Server-Timing"] = f'app;dur={elapsed * 1000:.3f}, cache;desc="miss"'
    response["X-Cache"] = "miss"
    return response
