"""Delivery: the page cache, conditional GET, CDN headers and the truthful page timer.

This middleware comes first, so a page-cache hit is answered before the rest of Django's stack
runs; the stored headers already carry what the other middleware added when the page was built.
"""

import hashlib
import time
from email.utils import formatdate

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from masthead import house
from masthead.delivery import pagecache

CACHEABLE_METHODS = {"GET", "HEAD"}
# Headers not replayed from the cache: they belong to the response that first built the page.
NOT_STORED = {"set-cookie", "server-timing", "date", "content-length"}


class DeliveryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        rendered_at = time.time()
        # Signed-in editors and token-authenticated clients may see more than readers do.
        cacheable = (request.method in CACHEABLE_METHODS and settings.SESSION_COOKIE_NAME not in request.COOKIES
                     and "HTTP_AUTHORIZATION" not in request.META)
        if cacheable:
            page = pagecache.fetch(request)
            if page is not None:
                response = HttpResponse(page.body, status=page.status)
                for name, value in page.headers:
                    response[name] = value
                return self._finish(request, response, started, hit=True)

        response = self.get_response(request)
        keys = getattr(response, "surrogate_keys", None)
        if keys is not None:
            self._label(response, keys)
            if cacheable and self._storable(response):
                lifetime = min(settings.PAGE_CACHE_SECONDS, getattr(response, "cache_lifetime", settings.PAGE_CACHE_SECONDS))
                pagecache.store(
                    request,
                    body=response.content,
                    headers=[(k, v) for k, v in response.items() if k.lower() not in NOT_STORED],
                    status=response.status_code,
                    keys=keys,
                    rendered_at=rendered_at,
                    lifetime=lifetime,
                )
        return self._finish(request, response, started, hit=False)

    @staticmethod
    def _storable(response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
        )

    @staticmethod
    def _label(response, keys) -> None:
        """Headers for browsers and CDNs: validators, lifetime and the surrogate keys to purge by."""
        if response.streaming:
            return
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

    def _finish(self, request, response, started, *, hit: bool):
        if request.method in CACHEABLE_METHODS and response.status_code == 200 and (
            response.has_header("ETag") or response.has_header("Last-Modified")
        ):
            last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
            conditional = get_conditional_response(
                request, etag=response.get("ETag"), last_modified=last_modified, response=response
            )
            if conditional is not response:
                response = conditional
        elapsed = time.perf_counter() - started
        if not response.streaming and pagecache.TIMING_MARK in response.content:
            response.content = response.content.replace(pagecache.TIMING_MARK, house.seconds(elapsed).encode())
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            elapsed = time.perf_counter() - started
        response["Server-Timing"] = f'app;dur={elapsed * 1000:.3f}, cache;desc="{"hit" if hit else "miss"}"'
        response["X-Cache"] = "hit" if hit else "miss"
        return response
