"""``masthead serve --server uvicorn``: hits answered by the protocol itself (masthead/delivery/hitserver.py)."""

import contextlib
import gzip
import http.client
import re
import socket
import time
import urllib.parse

import pytest
from django.db import connection

from tests import servers
from tests.news.factories import make_article

# How the protocol answers, not SQL: run once, in the SQLite run (see tests/run.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.protocol]

# Headers that describe this answer rather than the page: the cache state, the timing, the date.
OWN = {"x-cache", "server-timing", "date", "age"}


@contextlib.contextmanager
def _serving(**env):
    with servers.app_server({"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), **env},
                            server="uvicorn", workers=1) as base:
        yield urllib.parse.urlsplit(base)


def _raw(address, request: bytes, *, until: bytes = b"") -> bytes:
    """``request`` written in one piece on a new connection; what comes back until ``until`` is seen or the close."""
    sock = socket.create_connection((address.hostname, address.port), timeout=15)
    reply = b""
    try:
        sock.sendall(request)
        with contextlib.suppress(OSError):
            while (chunk := sock.recv(65536)) and not (until and until in reply + chunk):
                reply += chunk
            reply += chunk
    finally:
        sock.close()
    return reply


def _page(text: str) -> str:
    return re.sub(r"Page Generated in 0\.\d+ sec", "", text)


def test_a_hit_is_the_page_django_stored_with_the_same_headers():
    """Asked twice on one connection, the second answer comes from the process's page cache: the same page,
    headers, gzip and validators, only its cache state and timing its own; then a conditional request gets 304."""
    story = make_article(headline="Ferry line reopens", body="The Caspian ferry sails again.")
    with _serving() as address:
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=15)
        answers = []
        for _ in range(3):
            conn.request("GET", story.get_absolute_url(), headers={"Accept-Encoding": "gzip"})
            response = conn.getresponse()
            answers.append((response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()))
        (status, miss, first), (_, hit, second), (_, again, third) = answers
        assert status == 200 and miss["x-cache"] == "miss" and hit["x-cache"] == again["x-cache"] == "hit"
        assert {k: v for k, v in hit.items() if k not in OWN} == {k: v for k, v in miss.items() if k not in OWN}
        assert hit["content-encoding"] == "gzip" and int(hit["content-length"]) == len(second)
        assert _page(gzip.decompress(second).decode()) == _page(gzip.decompress(first).decode())
        assert "The Caspian ferry sails again." in gzip.decompress(third).decode()
        conn.request("GET", story.get_absolute_url(), headers={"If-None-Match": hit["etag"], "Accept-Encoding": "gzip"})
        response = conn.getresponse()
        assert (response.status, response.read(), response.getheader("ETag")) == (304, b"", hit["etag"])
        conn.close()


def test_a_head_hit_has_no_body_and_http_1_0_is_closed():
    """HEAD gets the page's headers and length without its bytes; a HTTP/1.0 client's connection is closed after."""
    story = make_article(body="Printed in the morning edition.")
    with _serving() as address:
        path = story.get_absolute_url().encode()
        _raw(address, b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")  # stored
        head = _raw(address, b"HEAD " + path + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200") and b"x-cache: hit" in head.lower(), head[:400]
        assert head.endswith(b"\r\n\r\n")  # headers only
        length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
        old = _raw(address, b"GET " + path + b" HTTP/1.0\r\nHost: localhost\r\n\r\n")  # read until the server closes
        assert b"x-cache: hit" in old.lower() and b"connection: close" in old.lower()
        assert len(old.split(b"\r\n\r\n", 1)[1]) == length
        assert b"Printed in the morning edition." in old


def test_pipelined_requests_are_answered_in_order_whichever_is_held():
    """Two requests in one write, a miss then a hit and a hit then a miss: the answers come back in the order asked."""
    held = make_article(headline="Held story")
    other = make_article(headline="Other story")
    later = make_article(headline="Later story")
    with _serving() as address:
        _raw(address, f"GET {held.get_absolute_url()} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        for first, second in ((other, held), (held, later)):
            reply = _raw(address, (f"GET {first.get_absolute_url()} HTTP/1.1\r\nHost: localhost\r\n\r\n"
                                   f"GET {second.get_absolute_url()} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                                   ).encode()).decode()
            assert reply.count("HTTP/1.1 200") == 2, reply[:300]
            headings = re.findall(r"<h1[^>]*>\s*([^<]+?)\s*</h1>", reply)
            assert headings == [first.headline, second.headline], headings


def test_signed_in_editors_never_get_a_held_hit():
    """A session cookie or credentials go to Django even when the page is held."""
    story = make_article()
    with _serving() as address:
        path = story.get_absolute_url()
        _raw(address, f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        for header in ("Cookie: theme=dark\r\nCookie: sessionid=abc", "Authorization: Bearer abc"):
            reply = _raw(address, f"GET {path} HTTP/1.1\r\nHost: localhost\r\n{header}\r\nConnection: close\r\n\r\n".encode())
            assert b"x-cache: hit" not in reply.lower(), header


def test_headers_too_large_or_too_slow_are_refused():
    """Headers over 64 KiB are answered 431 at once; headers still arriving after 10 s are answered 408."""
    story = make_article()
    with _serving() as address:
        big = _raw(address, f"GET {story.get_absolute_url()} HTTP/1.1\r\nHost: localhost\r\n".encode()
                   + b"".join(b"X-Filler-%d: %s\r\n" % (n, b"x" * 1000) for n in range(70)) + b"\r\n")
        assert big.startswith(b"HTTP/1.1 431"), big[:200]
        assert b"Request headers are larger than the limit of 65536 bytes." in big
        sock = socket.create_connection((address.hostname, address.port), timeout=30)
        started = time.monotonic()
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        reply = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                reply += chunk
        sock.close()
        assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
        assert b"Request headers were not received in time." in reply
        assert 9 <= time.monotonic() - started < 25


def test_a_connection_answered_from_the_cache_stays_open_while_used_and_closes_when_idle():
    """Hits every 2 s keep one connection open past the 5 s keep-alive; left idle, the server closes it after 5 s."""
    story = make_article()
    with _serving() as address:
        sock = socket.create_connection((address.hostname, address.port), timeout=15)
        request = f"GET {story.get_absolute_url()} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()
        try:
            for n in range(4):
                sock.sendall(request)
                reply = b""
                while b"</html>" not in reply:
                    chunk = sock.recv(65536)
                    assert chunk, f"closed before answer {n}"
                    reply += chunk
                assert reply.startswith(b"HTTP/1.1 200"), reply[:100]
                assert n == 0 or b"X-Cache: hit" in reply, n
                time.sleep(2)  # 8 s in all on one connection
            idle = time.monotonic()
            assert sock.recv(65536) == b""  # the server closed it
            assert 2.5 <= time.monotonic() - idle < 10
        finally:
            sock.close()
