"""The server's front: request bodies are read in full before a thread runs Django.

A WSGI server hands each request to a thread that then reads the body from the socket, so a
client that sends its body one byte every few seconds holds that thread for as long as it
likes; four such clients took every thread of the site. Here an asyncio front (granian's RSGI,
or ASGI under gunicorn's ``asgi`` worker) reads the whole body first, within a deadline and a size
limit, where a waiting client costs a few kilobytes and no thread. Only a complete request
reaches the thread pool that runs the WSGI application, and the response is written back by
the front, so a client that reads slowly holds no thread either.
"""

import asyncio
import io
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

# A body larger than this goes to a temporary file instead of memory.
SPOOL_BYTES = 1 << 20


class BodyRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


async def read_body(receive, *, declared: int | None, deadline: float, limit: int):
    """The whole request body as a file positioned at its start, and its length.

    Raises BodyRefused (408 or 413) when the client is too slow or sends too much, and
    ConnectionAbortedError when it goes away.
    """
    if declared is not None and declared > limit:
        raise BodyRefused(413, f"Request body of {declared} bytes is larger than the limit of {limit} bytes.")
    body = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    length = 0
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            message = await asyncio.wait_for(receive(), remaining)
            if message["type"] == "http.disconnect":
                raise ConnectionAbortedError("client went away while sending its body")
            chunk = message.get("body", b"")
            length += len(chunk)
            if length > limit:
                raise BodyRefused(413, f"Request body is larger than the limit of {limit} bytes.")
            body.write(chunk)
            if not message.get("more_body", False):
                break
    except TimeoutError:
        body.close()
        raise BodyRefused(408, "Request body was not received in time; send it again.") from None
    except BaseException:
        body.close()
        raise
    body.seek(0)
    return body, length


def wsgi_environ(scope, *, body, length: int) -> dict:
    """The WSGI environ (PEP 3333) for an ASGI HTTP scope whose body has been read."""
    server = scope.get("server") or ("127.0.0.1", 80)
    client = scope.get("client") or ("", 0)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", "").encode("utf-8").decode("latin-1"),
        # PEP 3333: the path's bytes, decoded as Latin-1.
        "PATH_INFO": scope["path"].encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] if server[1] is not None else 80),
        "SERVER_PROTOCOL": "HTTP/" + scope.get("http_version", "1.1"),
        "REMOTE_ADDR": str(client[0]),
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        if name == "CONTENT_LENGTH":
            continue  # set below from what was actually read
        if name != "CONTENT_TYPE":
            name = "HTTP_" + name
        # RFC 9110 5.3: repeated fields combine with commas (cookies with "; ").
        if name in environ:
            value = environ[name] + ("; " if name == "HTTP_COOKIE" else ",") + value
        environ[name] = value
    if length or scope["method"] in {"POST", "PUT", "PATCH"}:
        environ["CONTENT_LENGTH"] = str(length)
    return environ


def _declared_length(scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _has_body(scope) -> bool:
    for name, value in scope.get("headers", []):
        name = name.lower()
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() not in {b"", b"0"}):
            return True
    return False


class Front:
    """Serves a WSGI application from a thread pool, each request's body read first.

    It speaks ASGI (gunicorn's ``asgi`` worker, any ASGI server) and granian's own RSGI, which
    hands a response over in one call and costs granian less than ASGI's messages.

    ``early``, if given, is asked first, on the event loop, for a GET or HEAD without a body: given
    the request as a WSGI environ without its body, it returns status, headers and body, or None
    to go to the thread pool (``cachefront.answer_held``: a page-cache hit then takes no thread).
    """

    def __init__(self, wsgi_app, *, early=None):
        self.wsgi_app = wsgi_app
        self.early = early
        self.pool = None

    def _pool(self) -> ThreadPoolExecutor:
        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=settings.SERVER_THREADS, thread_name_prefix="masthead")
        return self.pool

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            if self.early is not None and scope["method"] in ("GET", "HEAD") and not _has_body(scope):
                answer = self.early(wsgi_environ(scope, body=None, length=0))
                if answer is not None:
                    await _AsgiReply(send).whole(*answer)
                    return
            await self._serve(scope, receive, _AsgiReply(send))
        else:
            raise RuntimeError(f"Masthead serves HTTP only, not {scope['type']!r} connections.")

    async def __rsgi__(self, scope, protocol):
        if scope.proto != "http":
            raise RuntimeError(f"Masthead serves HTTP only, not {scope.proto!r} connections.")
        method = scope.method
        if self.early is not None and (method == "GET" or method == "HEAD"):
            headers = scope.headers
            if "content-length" not in headers and "transfer-encoding" not in headers:
                answer = self.early(_rsgi_head(scope, headers))
                if answer is not None:
                    protocol.response_bytes(*answer)
                    return
        await self._serve(asgi_scope(scope), _rsgi_receive(protocol), _RsgiReply(protocol))

    def __rsgi_del__(self, loop):
        if self.pool is not None:
            self.pool.shutdown(wait=True)

    async def _lifespan(self, receive, send):
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._pool()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    self.pool.shutdown(wait=True)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def run(self, function, *args):
        """``function(*args)`` in the thread pool that runs the application, for a caller on the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._pool(), function, *args)

    async def answer(self, environ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, headers and whole body of a GET without a body (``environ`` from ``wsgi_environ``):
        from ``early`` on the event loop if it answers, else by the application in the thread pool."""
        if self.early is not None:
            found = self.early(environ)
            if found is not None:
                return found
        return await self.run(_whole, self.wsgi_app, environ)

    async def _serve(self, scope, receive, reply):
        if _has_body(scope):
            try:
                body, length = await read_body(
                    receive,
                    declared=_declared_length(scope),
                    deadline=time.monotonic() + settings.REQUEST_BODY_SECONDS,
                    limit=settings.REQUEST_MAX_BYTES,
                )
            except BodyRefused as refused:
                text = (refused.message + "\n").encode()
                await reply.whole(refused.status, [("Content-Type", "text/plain; charset=utf-8"),
                                                   ("Content-Length", str(len(text))), ("Connection", "close")], text)
                return
            except ConnectionAbortedError:
                return
        else:
            body, length = io.BytesIO(), 0
        loop = asyncio.get_running_loop()
        pool = self._pool()
        rest = None
        try:
            status, headers, chunks, rest = await loop.run_in_executor(
                pool, _start, self.wsgi_app, wsgi_environ(scope, body=body, length=length))
            if rest is None:
                await reply.whole(status, headers, b"".join(chunks))
                return
            await reply.start(status, headers)
            for chunk in chunks:
                await reply.write(chunk)
            # A streamed response (a large file) is read a chunk at a time in a thread; the
            # sending happens here, so a slow reader holds no thread between chunks.
            while (chunk := await loop.run_in_executor(pool, next, rest, None)) is not None:
                if chunk:
                    await reply.write(chunk)
            await reply.end()
        finally:
            if rest is not None:
                await loop.run_in_executor(pool, rest.close)
            body.close()


class _AsgiReply:
    def __init__(self, send):
        self.send = send

    async def whole(self, status, headers, body):
        await self.start(status, headers)
        await self.send({"type": "http.response.body", "body": body, "more_body": False})

    async def start(self, status, headers):
        await self.send({"type": "http.response.start", "status": status,
                         "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]})

    async def write(self, chunk):
        await self.send({"type": "http.response.body", "body": chunk, "more_body": True})

    async def end(self):
        await self.send({"type": "http.response.body", "body": b"", "more_body": False})


class _RsgiReply:
    def __init__(self, protocol):
        self.protocol = protocol
        self.transport = None

    async def whole(self, status, headers, body):
        self.protocol.response_bytes(status, headers, body)

    async def start(self, status, headers):
        self.transport = self.protocol.response_stream(status, headers)

    async def write(self, chunk):
        await self.transport.send_bytes(chunk)

    async def end(self):
        pass


def _address(value: str | None):
    host, _, port = (value or "").rpartition(":")
    return (host.strip("[]"), int(port)) if port.isdigit() else (value or "", 0)


def asgi_scope(scope) -> dict:
    """An RSGI scope as the ASGI scope ``wsgi_environ`` reads."""
    return {"type": "http", "method": scope.method, "path": scope.path, "root_path": "",
            # granian hands the query over decoded as UTF-8: a client may send it unescaped (``?q=نفت``).
            "query_string": scope.query_string.encode("utf-8"), "http_version": scope.http_version,
            "scheme": scope.scheme, "server": _address(scope.server), "client": _address(scope.client),
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in scope.headers.items()]}


# The headers ``early`` reads, by their RSGI and WSGI names (the cookie is read apart: it may repeat).
EARLY_HEADERS = (("host", "HTTP_HOST"), ("accept-encoding", "HTTP_ACCEPT_ENCODING"), ("authorization", "HTTP_AUTHORIZATION"),
                 ("if-none-match", "HTTP_IF_NONE_MATCH"), ("if-modified-since", "HTTP_IF_MODIFIED_SINCE"))


def _rsgi_head(scope, headers) -> dict:
    """The part of the WSGI environ ``early`` reads, from an RSGI scope: no body, a handful of headers."""
    path, query = scope.path, scope.query_string
    environ = {"REQUEST_METHOD": scope.method,
               # As ``wsgi_environ`` holds them: UTF-8 bytes decoded as Latin-1 (PEP 3333).
               "PATH_INFO": path if path.isascii() else path.encode("utf-8").decode("latin-1"),
               "QUERY_STRING": query if query.isascii() else query.encode("utf-8").decode("latin-1")}
    for name, key in EARLY_HEADERS:
        value = headers.get(name)
        if value is not None:
            environ[key] = value
    if "cookie" in headers:
        # HTTP/2 sends a cookie header per cookie; a session cookie in any of them bypasses the cache.
        environ["HTTP_COOKIE"] = "; ".join(value for name, value in headers.items() if name == "cookie")
    return environ


def _rsgi_receive(protocol):
    """ASGI's ``receive`` over an RSGI body stream."""
    chunks = protocol.__aiter__()

    async def receive():
        try:
            chunk = await chunks.__anext__()
        except StopAsyncIteration:
            return {"type": "http.request", "body": b"", "more_body": False}
        except RuntimeError:  # granian's ProtocolClosed: the client went away
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": chunk, "more_body": True}

    return receive


def _start(app, environ):
    """Run the WSGI application in a worker thread: its status, headers, first chunks and the rest.

    A response held in memory (every page Django renders) is taken whole, so it needs one
    trip to the thread pool; only a streamed one leaves an iterator for the rest.
    """
    started = {}

    def start_response(status, headers, exc_info=None):
        if exc_info and started:
            raise exc_info[1].with_traceback(exc_info[2])
        started["status"] = int(status.split(" ", 1)[0])
        started["headers"] = list(headers)
        return started.setdefault("written", []).append

    result = app(environ, start_response)
    if isinstance(result, (list, tuple)) or getattr(result, "streaming", None) is False:
        try:
            chunks = [bytes(chunk) for chunk in result if chunk]
        finally:
            _close(result)
        return started["status"], started["headers"], started.get("written", []) + chunks, None
    rest = _Closing(iter(result), result)
    first = []
    # The status may only be known once the first chunk has been produced (PEP 3333).
    try:
        for chunk in rest:
            if chunk:
                first.append(chunk)
                break
    except BaseException:
        rest.close()
        raise
    return started["status"], started["headers"], started.get("written", []) + first, rest


def _whole(app, environ):
    status, headers, chunks, rest = _start(app, environ)
    if rest is not None:
        try:
            chunks += list(rest)
        finally:
            rest.close()
    return status, headers, b"".join(chunks)


class _Closing:
    """An iterator over a WSGI result that can close the result when done (PEP 3333)."""

    def __init__(self, iterator, result):
        self.iterator = iterator
        self.result = result

    def __iter__(self):
        return self

    def __next__(self):
        return bytes(next(self.iterator))

    def close(self):
        _close(self.result)


def _close(result) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()
