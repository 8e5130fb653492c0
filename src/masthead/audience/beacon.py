"""The read beacon, ``POST /hit/<News ID>``: answered 204 in front of Django, never cached.

The article page's script (``static/masthead/audience/beacon.js``) sends it once the page is shown,
so a read is counted whether the page came from Django, the page cache, Varnish or a CDN. It is
answered before Django builds a request: a hit costs the rules in ``counting`` and one call to the
counter store, so the endpoint holds thousands of hits a second (``bench/hits.py``).

No CSRF token is asked for: the request changes nothing a reader owns, carries no cookie we read,
and a forged one can do no more than a reader's own browser could (add one read, once per window).
"""

import logging
import time

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from masthead.audience import counting, counters, folding

log = logging.getLogger(__name__)

PATH_PREFIX = "/hit/"
# Never stored by a browser, the page cache, Varnish (deploy/varnish/masthead.vcl passes POSTs) or a CDN.
NO_STORE = [("Cache-Control", "no-store"), ("Content-Length", "0")]


def hit(environ, *, now: float | None = None) -> tuple[int, str]:
    """Count the read this beacon request reports, if it is one; its status and why ("counted", "bot"...)."""
    if environ.get("REQUEST_METHOD") != "POST":
        return 405, "method"
    story = counting.news_id(environ.get("PATH_INFO", ""))
    if story is None:
        return 404, "no story"
    refused = counting.refusal(environ)
    if refused:
        return 204, refused
    try:
        counted = counters.store().record(
            story=story, now=time.time() if now is None else now, repeat_seconds=settings.READ_REPEAT_SECONDS,
            reader_of=lambda salt: counting.reader(environ, story=story, salt=salt))
    except Exception:  # a count is never worth an error to the reader
        log.exception("A read of story %s was not counted", story)
        return 204, "lost"
    return 204, counted


STATUS_LINES = {204: "204 No Content", 404: "404 Not Found", 405: "405 Method Not Allowed"}


class BeaconFront:
    """WSGI middleware answering ``/hit/…`` itself; everything else goes to the application behind it."""

    def __init__(self, app):
        self.app = app
        # In a serving process, counts are sent on in the background: to Redis, or from memory to the database.
        counters.background = folding.add

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(PATH_PREFIX):
            return self.app(environ, start_response)
        status, _why = hit(environ)
        headers = list(NO_STORE)
        if status == 405:
            headers.append(("Allow", "POST"))
        start_response(STATUS_LINES[status], headers)
        return [b""]


def _environ(*, method: str, path: str, address: str, headers) -> dict:
    """The part of a WSGI environ the rules read, from an ASGI or RSGI request's (name, value) headers."""
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "REMOTE_ADDR": address}
    for name, value in headers:
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def _has_body(headers: dict) -> bool:
    return "transfer-encoding" in headers or headers.get("content-length", "0").strip() not in {"", "0"}


class AsyncBeaconFront:
    """The beacon answered on the server's event loop (ASGI or granian's RSGI), before a thread is taken.

    Handing a request to the thread pool that runs Django cost more than counting it. A beacon with
    a body (ours send none) goes the ordinary way, so that the body is read.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith(PATH_PREFIX):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            if not _has_body(headers):
                address = str((scope.get("client") or ("", 0))[0])
                status, _why = hit(_environ(method=scope["method"], path=scope["path"], address=address,
                                            headers=headers.items()))
                await send({"type": "http.response.start", "status": status,
                            "headers": [(k.lower().encode(), v.encode()) for k, v in _headers(status)]})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
        await self.app(scope, receive, send)

    async def __rsgi__(self, scope, protocol):
        if scope.proto == "http" and scope.path.startswith(PATH_PREFIX):
            headers = {k.lower(): v for k, v in scope.headers.items()}
            if not _has_body(headers):
                # RSGI names the client "host:port" ("[::1]:port" for IPv6).
                host, _, port = (scope.client or "").rpartition(":")
                address = host.strip("[]") if port.isdigit() else (scope.client or "")
                status, _why = hit(_environ(method=scope.method, path=scope.path, address=address,
                                            headers=headers.items()))
                protocol.response_bytes(status, _headers(status), b"")
                return
        await self.app.__rsgi__(scope, protocol)

    def __rsgi_del__(self, loop):
        self.app.__rsgi_del__(loop)


def _headers(status: int) -> list[tuple[str, str]]:
    return [*NO_STORE, ("Allow", "POST")] if status == 405 else list(NO_STORE)


@csrf_exempt  # see the module's docstring: a beacon carries no token and needs none
def view(request, rest: str):
    """The beacon as a Django view, for servers that do not run ``masthead.wsgi`` (the tests' live server)."""
    status, _why = hit(request.META)
    response = HttpResponse(status=status)
    response["Cache-Control"] = "no-store"
    if status == 405:
        response["Allow"] = "POST"
    return response
