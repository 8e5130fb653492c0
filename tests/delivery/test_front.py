"""Slow and stalled clients cannot hold the threads that serve readers (masthead/delivery/front.py)."""

import asyncio
import contextlib
import gzip
import http.client
import re
import socket
import time
import urllib.parse

import pytest
from django.conf import settings
from django.db import connection

from masthead.delivery import pagecache
from masthead.delivery.cachefront import answer_held
from masthead.delivery.front import Front, _rsgi_head
from tests import servers
from tests.news.factories import make_article

# How the servers read requests, not SQL: run once, in the SQLite run (see tests/run.py).
pytestmark = pytest.mark.protocol

SLOW_BODIES = 50
SLOW_HEADERS = 25


def _open(base: str) -> socket.socket:
    address = urllib.parse.urlsplit(base)
    sock = socket.create_connection((address.hostname, address.port), timeout=10)
    return sock


def _fetch(base: str, path: str, *, method: str = "GET", body=None, headers=None):
    """One request on a new connection; an iterable body goes chunked, without Content-Length."""
    address = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def _read_reply(sock: socket.socket) -> str:
    reply = b""
    with contextlib.suppress(OSError):
        while chunk := sock.recv(65536):
            reply += chunk
    return reply.decode("utf-8", "replace")


@contextlib.contextmanager
def _serving(server: str, **env):
    env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), **env}
    # A shared, busy machine can take a while to start a server; the checks below have no timing.
    with servers.app_server(env, server=server) as base:
        yield base


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("server", ["granian", "uvicorn", "gunicorn"])
def test_readers_are_served_while_slow_clients_hold_connections(server):
    """With 50 comment bodies trickling in and 25 requests stuck in their headers, articles still load."""
    story = make_article(body="A story readers keep reading.")
    with _serving(server) as base:
        slow = []
        try:
            for n in range(SLOW_BODIES):
                sock = _open(base)
                sock.sendall(f"POST /comments/{story.pk}/post/ HTTP/1.1\r\nHost: localhost\r\n"
                             "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 8192\r\n\r\n"
                             f"name=slow{n}&body=".encode())
                slow.append(sock)
            for n in range(SLOW_HEADERS):
                sock = _open(base)
                sock.sendall(f"GET {story.get_absolute_url()} HTTP/1.1\r\nHost: localhost\r\nX-Slow-{n}: ".encode())
                slow.append(sock)
            time.sleep(0.5)
            for n in range(10):
                for sock in slow[:SLOW_BODIES]:
                    sock.sendall(b"a")  # still sending: none of them has finished its body
                status, html = _fetch(base, story.get_absolute_url())
                assert status == 200, f"fetch {n} answered {status}"
                assert "A story readers keep reading." in html
            # A file is streamed back in chunks, whole.
            status, css = _fetch(base, "/static/masthead/site.css")
            assert (status, css) == (200, (settings.PACKAGE_DIR / "static" / "masthead" / "site.css").read_text())
        finally:
            for sock in slow:
                sock.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("server", ["granian", "uvicorn", "gunicorn"])
def test_a_body_not_sent_in_time_is_answered_408(server):
    """A client that stops sending its body is told so after MASTHEAD_REQUEST_BODY_SECONDS."""
    story = make_article()
    with _serving(server, MASTHEAD_REQUEST_BODY_SECONDS="1") as base:
        sock = _open(base)
        sock.sendall(f"POST /comments/{story.pk}/post/ HTTP/1.1\r\nHost: localhost\r\n"
                     "Content-Length: 100\r\n\r\nname=".encode())
        started = time.monotonic()
        reply = _read_reply(sock)
        sock.close()
    assert reply.startswith("HTTP/1.1 408"), reply[:200]
    assert "Request body was not received in time; send it again." in reply
    assert time.monotonic() - started < 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("server", ["granian", "uvicorn", "gunicorn"])
def test_a_body_over_the_limit_is_refused_413(server):
    """A body larger than MASTHEAD_REQUEST_MAX_BYTES is refused, declared or chunked, before it is stored."""
    story = make_article()
    with _serving(server, MASTHEAD_REQUEST_MAX_BYTES="1000") as base:
        status, text = _fetch(base, f"/comments/{story.pk}/post/", method="POST", body=b"x" * 5000)
        assert status == 413
        assert "Request body of 5000 bytes is larger than the limit of 1000 bytes." in text
        status, text = _fetch(base, f"/comments/{story.pk}/post/", method="POST", body=iter([b"x" * 800, b"x" * 800]))
        assert status == 413
        assert "Request body is larger than the limit of 1000 bytes." in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("server", ["granian", "uvicorn", "gunicorn"])
def test_a_chunked_comment_reaches_the_form(server):
    """A body sent in chunks, without Content-Length, arrives whole: the form shows back what was typed."""
    story = make_article()
    with _serving(server) as base:
        status, html = _fetch(base, f"/comments/{story.pk}/post/", method="POST",
                              body=iter([b"name=Parvin%20E", b"&body=Chunked%20words"]),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400  # no Security Key was given
    assert 'value="Parvin E"' in html
    assert "Chunked words" in html


def _call(app, scope: dict, body_chunks: list[bytes]):
    """Drive the front as an ASGI server would; return the messages it sent."""
    messages = [{"type": "http.request", "body": chunk, "more_body": i < len(body_chunks) - 1}
                for i, chunk in enumerate(body_chunks)]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def test_the_environ_carries_the_request_as_wsgi_defines_it():
    """Path, query, repeated headers, cookies and the body's length reach the WSGI app per PEP 3333."""
    seen = {}

    def wsgi_app(environ, start_response):
        seen.update(environ, body=environ["wsgi.input"].read())
        start_response("201 Created", [("Content-Type", "text/plain"), ("X-Two", "a"), ("X-Two", "b")])
        return [b"made", b"", b" it"]

    scope = {"type": "http", "method": "POST", "path": "/tag/خبر/", "query_string": b"q=%D8%AE&x=1",
             "root_path": "", "http_version": "1.1", "scheme": "https", "server": ("example.org", 443),
             "client": ("203.0.113.9", 5555),
             "headers": [(b"host", b"example.org"), (b"accept", b"text/html"), (b"accept", b"*/*"),
                         (b"cookie", b"a=1"), (b"cookie", b"b=2"), (b"transfer-encoding", b"chunked"),
                         (b"content-type", b"text/plain")]}
    sent = _call(Front(wsgi_app), scope, [b"hello ", b"world"])
    assert seen["PATH_INFO"] == "/tag/خبر/".encode().decode("latin-1")
    assert seen["QUERY_STRING"] == "q=%D8%AE&x=1"
    assert seen["HTTP_ACCEPT"] == "text/html,*/*"
    assert seen["HTTP_COOKIE"] == "a=1; b=2"
    assert seen["CONTENT_TYPE"] == "text/plain"
    assert seen["CONTENT_LENGTH"] == "11"
    assert seen["body"] == b"hello world"
    assert (seen["wsgi.url_scheme"], seen["REMOTE_ADDR"], seen["SERVER_NAME"]) == ("https", "203.0.113.9", "example.org")
    assert sent[0] == {"type": "http.response.start", "status": 201,
                       "headers": [(b"content-type", b"text/plain"), (b"x-two", b"a"), (b"x-two", b"b")]}
    assert sent[1] == {"type": "http.response.body", "body": b"made it", "more_body": False}


def test_a_streamed_response_is_sent_chunk_by_chunk_and_closed():
    """A streamed WSGI result is sent as it is produced, and closed afterwards (PEP 3333)."""
    closed = []

    class Result:
        def __iter__(self):
            yield b"one,"
            yield b"two,"
            yield b"three"

        def close(self):
            closed.append(True)

    def wsgi_app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/csv")])
        return Result()

    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": []}
    sent = _call(Front(wsgi_app), scope, [b""])
    assert [m.get("body") for m in sent[1:]] == [b"one,", b"two,", b"three", b""]
    assert closed == [True]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("server,answer", [("granian", "HTTP/1.1 200"), ("uvicorn", "HTTP/1.1 400 Bad Request"),
                                           ("gunicorn", "HTTP/1.1 400 Bad Request")])
def test_a_query_sent_unescaped_is_read_as_utf8(server, answer):
    """A client that sends ``?q=نفت`` as raw UTF-8 (curl does) is never a 500: granian reads it as if it were
    escaped; uvicorn and gunicorn refuse the request line before the app (browsers escape it)."""
    make_article(headline="نفت و گاز", language="fa", body="بازار نفت")
    with _serving(server) as base:
        sock = _open(base)
        sock.sendall("GET /fa/search/?q=نفت HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        raw = _read_reply(sock)
        sock.close()
        escaped = _fetch(base, "/fa/search/?q=" + urllib.parse.quote("نفت"))
    assert raw.startswith(answer), raw[:300]
    assert escaped[0] == 200 and "نفت و گاز" in escaped[1]
    assert ("نفت و گاز" in raw) == (server == "granian")


def _held_page(path: str, *, keys=("article-7",)):
    """A page stored in this process's page cache for ``path`` on host localhost, as Django's middleware stores one."""
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "HTTP_HOST": "localhost"}
    body = b"<p>" + b"held story text " * 50 + b"</p><footer>Page Generated in " + pagecache.TIMING_MARK + b" sec</footer>"
    page = pagecache.make_page(body=body, headers=[("Content-Type", "text/html; charset=utf-8"), ("Surrogate-Key", "article-7")],
                               status=200, keys=keys, reads=(), strict=False, etag='"held"',
                               content_type="text/html; charset=utf-8", language="en", rendered_at=time.time(),
                               lifetime=300)
    pagecache.store(environ, page)
    return page


def _django_was_asked(asked: list):
    def wsgi_app(environ, start_response):
        asked.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Cache", "miss")])
        return [b"from Django"]

    return wsgi_app


def _asgi_get(path: str, *headers: tuple[bytes, bytes]) -> dict:
    return {"type": "http", "method": "GET", "path": path, "query_string": b"", "http_version": "1.1",
            "headers": [(b"host", b"localhost"), *headers]}


def test_a_held_hit_is_answered_on_the_event_loop_and_a_purge_sends_it_to_django():
    """A page this process holds is answered by the front itself, gzipped as asked; once its key is
    purged, the same request goes to the application."""
    asked = []
    front = Front(_django_was_asked(asked), early=answer_held)
    _held_page("/news/7/held/")
    sent = _call(front, _asgi_get("/news/7/held/", (b"accept-encoding", b"gzip, br")), [b""])
    headers = dict(sent[0]["headers"])
    assert asked == [] and sent[0]["status"] == 200
    assert (headers[b"x-cache"], headers[b"content-encoding"], headers[b"surrogate-key"]) == (b"hit", b"gzip", b"article-7")
    text = gzip.decompress(sent[1]["body"]).decode()
    assert re.search(r"Page Generated in 0\.\d{4} sec", text), text[-80:]
    assert headers[b"content-length"] == str(len(sent[1]["body"])).encode()
    pagecache.purge_keys(["article-7"])
    sent = _call(front, _asgi_get("/news/7/held/"), [b""])
    assert asked == ["/news/7/held/"] and sent[1]["body"] == b"from Django"


def test_signed_in_readers_and_credentials_never_get_a_held_hit():
    """A session cookie (in any cookie header) or an Authorization header goes to the application."""
    asked = []
    front = Front(_django_was_asked(asked), early=answer_held)
    _held_page("/news/7/held/")
    _call(front, _asgi_get("/news/7/held/", (b"cookie", b"theme=dark"), (b"cookie", b"sessionid=abc")), [b""])
    _call(front, _asgi_get("/news/7/held/", (b"authorization", b"Bearer abc")), [b""])
    scope = {**_asgi_get("/news/7/held/"), "method": "POST"}
    _call(front, scope, [b""])
    assert asked == ["/news/7/held/"] * 3


def test_a_conditional_request_for_a_held_page_is_answered_304():
    """The front answers If-None-Match itself, with the validators and no body."""
    front = Front(_django_was_asked([]), early=answer_held)
    page = _held_page("/news/7/held/")
    sent = _call(front, _asgi_get("/news/7/held/", (b"if-none-match", page.etag.encode())), [b""])
    assert sent[0]["status"] == 304 and sent[1]["body"] == b""
    assert dict(sent[0]["headers"])[b"etag"] == b'"held"'


def test_the_rsgi_environ_holds_what_the_cache_reads():
    """Path and query as PEP 3333 holds them, the cache's headers, and every cookie header joined."""

    class Headers(dict):
        def items(self):
            return [("host", "localhost"), ("cookie", "a=1"), ("cookie", "sessionid=x"), ("accept-encoding", "gzip")]

    class Scope:
        method, path, query_string = "GET", "/tag/خبر/", "q=نفت"
        headers = Headers(host="localhost", cookie="a=1", **{"accept-encoding": "gzip"})

    environ = _rsgi_head(Scope(), Scope.headers)
    assert environ["PATH_INFO"] == "/tag/خبر/".encode().decode("latin-1")
    assert environ["QUERY_STRING"] == "q=نفت".encode().decode("latin-1")
    assert environ["HTTP_COOKIE"] == "a=1; sessionid=x"
    assert (environ["HTTP_HOST"], environ["HTTP_ACCEPT_ENCODING"]) == ("localhost", "gzip")
    assert "HTTP_IF_NONE_MATCH" not in environ and "HTTP_AUTHORIZATION" not in environ
