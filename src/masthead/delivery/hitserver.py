"""uvicorn's HTTP protocol with page-cache hits answered as soon as a request's headers are read.

Under granian a hit on a page this process holds still pays for the server's own request
machinery: granian answering stored bytes with no application at all serves about a third of
what static nginx does on the same machine, so no Python app behind it can reach half. uvicorn's
protocol is Python over uvloop and httptools (libuv and llhttp, both C); asking the page cache
from its ``on_headers_complete`` skips the ASGI scope, task and messages for a hit, and the
answer goes to the socket in one write. Everything else (misses, bodies, editors, live streams,
beacons) takes uvicorn's usual way into ``masthead.asgi``, whose front reads bodies before a
thread is given to Django.

Paths the front answers itself before Django (live streams, reading beacons) never reach Django,
so the page cache never holds them and a hit cannot shadow them.

It also holds the door as granian's flags do: a request's headers must arrive within
``HEADER_SECONDS`` and fit in ``HEADER_BYTES``, else the connection is answered 408 or 431 and closed.
"""

import urllib.parse

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from masthead.delivery.cachefront import held_parts
from masthead.delivery.front import EARLY_HEADERS

HEADER_SECONDS = 10
HEADER_BYTES = 64 * 1024

# The request headers ``held_parts`` reads (the front's list, and the cookie), by their WSGI names;
# a body of any kind goes the usual way.
_READ = {name.encode(): key for name, key in EARLY_HEADERS} | {b"cookie": "HTTP_COOKIE"}
_BODY = (b"content-length", b"transfer-encoding")


class _Answered:
    """The request cycle of a request answered from the page cache: complete from the start."""

    response_complete = True
    disconnected = False

    class message_event:
        @staticmethod
        def set():
            pass


ANSWERED = _Answered()


class HitProtocol(HttpToolsProtocol):
    """uvicorn's protocol, answering held pages itself; see the module's docstring.

    Its two deadlines (headers in time, an idle connection closed) are kept as times on the
    connection and checked by at most one timer each, armed only when something is left waiting:
    a request that arrives whole and is answered from the cache schedules nothing.
    """

    def connection_made(self, transport):
        super().connection_made(transport)
        self._head_bytes = 0
        self._in_body = False  # a request's body is being read: its bytes are not headers
        self._heard = False  # bytes arrived since the last answer from the cache
        self._idle_since = 0.0
        self._idle_timer = None
        self._head_timer = None
        self._begin_head()
        self._watch_head()

    def connection_lost(self, exc):
        for timer in (self._head_timer, self._idle_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._idle_timer = None
        super().connection_lost(exc)

    def data_received(self, data):
        self._heard = True
        if not self._in_body:
            self._head_bytes += len(data)
            if self._head_bytes > HEADER_BYTES:
                self._refuse(431, "Request headers are larger than the limit of %d bytes." % HEADER_BYTES)
                return
        super().data_received(data)
        if self._in_head and self._head_timer is None and not self.transport.is_closing():
            self._watch_head()  # the headers did not arrive whole: they have until the deadline

    def on_message_begin(self):
        # uvicorn's own begins the ASGI scope here; a hit needs none, so it is begun only for the
        # requests that go on to the application (``_to_application``).
        self.url = b""
        self.expect_100_continue = False
        self.headers = []
        self.scope = None
        self._begin_head()

    def on_headers_complete(self):
        self._in_head = False
        self._head_bytes = 0
        cycle = self.cycle
        if (cycle is None or cycle.response_complete) and not self.pipeline:
            method = self.parser.get_method()
            if (method == b"GET" or method == b"HEAD") and not self.parser.should_upgrade():
                answer = self._held(method)
                if answer is not None:
                    self._send(method, *answer)
                    return
        self._in_body = True
        self._to_application()
        super().on_headers_complete()

    def on_message_complete(self):
        self._in_body = False
        super().on_message_complete()

    def _to_application(self) -> None:
        """Begin the request's ASGI scope as uvicorn's ``on_message_begin`` does, keeping what was read since."""
        url, headers, expect_100_continue = self.url, self.headers, self.expect_100_continue
        super().on_message_begin()
        self.url, self.headers, self.expect_100_continue = url, headers, expect_100_continue
        self.scope["headers"] = headers

    def _held(self, method: bytes):
        """``held_parts``' answer for this request, or None (not held, a body, or a path it cannot read)."""
        try:
            parsed = httptools.parse_url(self.url)
            path = parsed.path.decode("ascii")
        except (httptools.HttpParserInvalidURLError, UnicodeDecodeError):
            return None
        if "%" in path:
            path = urllib.parse.unquote(path)
        environ = {"REQUEST_METHOD": method.decode("ascii"),
                   # PEP 3333, as the front's ``wsgi_environ`` holds them: UTF-8 bytes decoded as Latin-1.
                   "PATH_INFO": path if path.isascii() else path.encode("utf-8").decode("latin-1"),
                   "QUERY_STRING": (parsed.query or b"").decode("latin-1")}
        for name, value in self.headers:
            if name in _BODY:
                return None
            key = _READ.get(name)
            if key is not None:
                value = value.decode("latin-1")
                # RFC 9110 5.3: repeated fields combine with commas (cookies with "; ").
                environ[key] = environ[key] + ("; " if name == b"cookie" else ",") + value if key in environ else value
        return held_parts(environ)

    def _send(self, method: bytes, page, status: int, stored, own, body: bytes) -> None:
        keep_alive = self.parser.get_http_version() != "1.0" and self.parser.should_keep_alive()
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        if stored:
            # The page's stored headers, encoded once per form: each hit adds only its own.
            form = stored is page.gzip_headers
            block = page.wire.get(form)
            if block is None:
                block = page.wire[form] = b"".join(map(_encoded, stored))
            head.append(block)
        head += map(_encoded, own)
        if not keep_alive:
            head.append(b"connection: close\r\n")
        head.append(b"\r\n")
        if method != b"HEAD":
            head.append(body)
        self.cycle = ANSWERED
        self.transport.write(b"".join(head))
        self.server_state.total_requests += 1
        if not keep_alive:
            self.transport.close()
            return
        # As uvicorn's own answers do: read on, and close the connection if it stays idle.
        self.flow.resume_reading()
        self._heard = False
        self._idle_since = self.loop.time()
        if self._idle_timer is None:
            self._idle_timer = self.loop.call_later(self.timeout_keep_alive, self._check_idle)

    def _check_idle(self) -> None:
        self._idle_timer = None
        if self._heard or self.transport.is_closing():
            return  # another request came: whoever answers it watches the connection next
        left = self._idle_since + self.timeout_keep_alive - self.loop.time()
        if left > 0:
            self._idle_timer = self.loop.call_later(left, self._check_idle)
        else:
            self.transport.close()

    def _begin_head(self) -> None:
        self._in_head = True
        self._head_since = self.loop.time()

    def _watch_head(self) -> None:
        self._head_timer = self.loop.call_later(
            max(self._head_since + HEADER_SECONDS - self.loop.time(), 0), self._check_head)

    def _check_head(self) -> None:
        self._head_timer = None
        if not self._in_head or self.transport.is_closing():
            return
        if self.loop.time() - self._head_since >= HEADER_SECONDS:
            self._refuse(408, "Request headers were not received in time.")
        else:
            self._watch_head()

    def _refuse(self, status: int, message: str) -> None:
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # a response is on its way: it cannot be followed by another
            return
        text = (message + "\n").encode()
        self.transport.write(STATUS_LINE[status] + b"content-type: text/plain; charset=utf-8\r\ncontent-length: "
                             + str(len(text)).encode() + b"\r\nconnection: close\r\n\r\n" + text)
        self.transport.close()


def _encoded(header: tuple[str, str]) -> bytes:
    return f"{header[0]}: {header[1]}\r\n".encode("latin-1")
