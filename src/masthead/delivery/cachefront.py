"""The WSGI layer in front of Django (wrapped in turn by delivery/front.py, which reads bodies first): a page-cache hit is answered before Django builds a request.

Django's request object, URL resolution and middleware cost more than the rest of a hit; here a
hit is a dictionary look-up, a purge check and a join of stored bytes. Anything else — a miss,
a signed-in reader (session cookie), a client sending credentials, a method other than GET and
HEAD — goes to Django unchanged, whose delivery middleware stores what the next hit answers.

Before even that, the server's event loop answers what this process holds in memory
(``answer_held``): handing a request to a thread cost more than the hit itself.
"""

import time
from http import HTTPStatus

from django.conf import settings

from masthead.delivery import hits, pagecache

STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


def bypasses_cache(environ) -> bool:
    """Whether a request may see more than anonymous readers do, so never comes from their cache."""
    return (environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in environ
            or f"{settings.SESSION_COOKIE_NAME}=" in environ.get("HTTP_COOKIE", ""))


def answer_held(environ) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """Status, headers and body of a hit on a page this process holds, or None to go the usual way.

    For the server's event loop: no thread, no network round trip (a page only in the shared
    cache is left to ``CacheFront``). ``environ`` needs only the method, ``PATH_INFO``,
    ``QUERY_STRING`` and the headers the cache reads (host, cookie, authorization, encoding and
    the conditional ones).
    """
    found = held_parts(environ)
    if found is None:
        return None
    _, status, stored, own, body = found
    return status, [*stored, *own], body


def held_parts(environ):
    """``answer_held``'s answer with its page, as ``hits.parts`` gives it: (page, status, stored, own, body)."""
    started = time.perf_counter()
    if not environ.get("HTTP_HOST") or bypasses_cache(environ):
        return None
    page = pagecache.held(pagecache.page_key(environ))
    if page is None or not pagecache.answers(page, environ["QUERY_STRING"]):
        return None
    return page, *hits.parts(page, environ, started=started, hit=True)


class CacheFront:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        if not bypasses_cache(environ):
            page = pagecache.fetch(environ)
            if page is not None:
                status, headers, body = hits.answer(page, environ, started=started, hit=True)
                start_response(STATUS_LINES[status], headers)
                return [body]
        return self.app(environ, start_response)
