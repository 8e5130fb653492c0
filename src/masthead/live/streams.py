"""Live coverage as Server-Sent Events: ``/news/<News ID>/updates/stream/``, held on the server's event loop.

An open page's script may hold one stream instead of polling ``/news/<id>/updates/?version=<v>``.
Each event is that polling answer for the version the page showed before it — the same JSON,
made by the same view (``live/views.py``), taken from the page cache when a worker holds it —
with ``id:`` the version it brings the page to, so a browser that reconnects sends
``Last-Event-ID`` and is sent what it missed. A comment line every ``HEARTBEAT_SECONDS`` keeps
proxies from closing a quiet stream; the stream ends with the event that says the coverage has ended.

A stream is a coroutine waiting on a queue: a socket and a few kilobytes, no thread. Each server
process keeps its open streams by story, and one background task a process watches the purge
fan-out (``delivery/fanout.py``: the purge log, or Redis pub/sub). When a story with open streams
is purged, the process makes the new answer once for each version its readers show (almost
always one) and hands it to every stream of that story. A process holds at most
``settings.LIVE_STREAMS`` streams; past that it answers 503 with ``Retry-After`` and the page polls.
"""

import asyncio
import io
import json
import logging
import re
import time

from django.conf import settings

from masthead.delivery import fanout, keys
from masthead.delivery.front import _asgi_scope, wsgi_environ

log = logging.getLogger(__name__)

# A comment this often: proxies and load balancers close connections that stay quiet for a minute.
HEARTBEAT_SECONDS = 20
# How often a process looks for purges of stories it holds streams of (the fan-out's own delay comes on top).
WATCH_SECONDS = 0.05
# What a browser waits before reconnecting a dropped stream, in milliseconds (sent as ``retry:``).
RETRY_MS = 3000
# What a refused page is told to wait before trying a stream again (it polls meanwhile).
REFUSED_RETRY_SECONDS = 60

STREAM_HEADERS = [("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-store"),
                  ("X-Accel-Buffering", "no")]
HEARTBEAT = b": \n\n"
END = None  # queued to a stream whose client went away


def _path():
    """The stream's address, in every edition's language prefix (``/fa/news/…``) or none."""
    languages = "|".join(re.escape(code) for code, _ in settings.LANGUAGES)
    return re.compile(rf"((?:/(?:{languages}))?/news/([1-9][0-9]{{0,18}}))/updates/stream/")


class Stream:
    """One open stream: the version its reader shows, and the events waiting to be written to it."""

    __slots__ = ("scope", "story", "version", "queue")

    def __init__(self, scope: dict, story: str, version: int):
        self.scope = scope
        self.story = story
        self.version = version
        self.queue: asyncio.Queue = asyncio.Queue()


def event(version: int, body: bytes) -> bytes:
    """One event: the polling answer's JSON (one line: JSON escapes newlines) under the version it brings."""
    return b"id: %d\ndata: %s\n\n" % (version, body)


class Streams:
    """This process's open streams by story, kept current from the purge fan-out by one task."""

    def __init__(self, front):
        self.front = front
        self.stories: dict[int, set[Stream]] = {}
        self.heard: dict[int, float] = {}  # the latest purge of each story's key acted on
        self.refreshed: dict[int, float] = {}  # when each story's answer was last made (monotonic)
        self.locks: dict[int, asyncio.Lock] = {}
        self.count = 0
        self.watcher = None
        self.tasks: set[asyncio.Task] = set()  # refreshes under way (the loop keeps only weak references)

    def full(self) -> bool:
        return self.count >= settings.LIVE_STREAMS

    async def answer(self, scope: dict, story: str, version: int) -> tuple[int, list, bytes]:
        """The polling answer after ``version``, as a reader at ``scope`` would be given it; ``story`` is the
        story's address up to its updates (``/fa/news/12``)."""
        request = {**scope, "path": f"{story}/updates/", "query_string": f"version={version}".encode()}
        return await self.front.answer(wsgi_environ(request, body=io.BytesIO(), length=0))

    def add(self, story: int, stream: Stream, *, heard: float) -> None:
        self.stories.setdefault(story, set()).add(stream)
        self.count += 1
        if story not in self.heard:
            self.heard[story], self.refreshed[story] = heard, time.monotonic()
        elif self.heard[story] > heard:
            # A purge after this stream's first answer was made, already sent to the others: send it again.
            self._spawn(self.refresh(story))
        if self.watcher is None or self.watcher.done():
            self.watcher = asyncio.get_running_loop().create_task(self.watch())

    def remove(self, story: int, stream: Stream) -> None:
        streams = self.stories.get(story)
        if streams is not None and stream in streams:
            streams.discard(stream)
            self.count -= 1
            if not streams:
                del self.stories[story]
                self.heard.pop(story, None)
                self.refreshed.pop(story, None)
                self.locks.pop(story, None)

    async def watch(self) -> None:
        """While any stream is open: hand each purge of a watched story to its streams.

        A story is also looked at every heartbeat without a purge, so an end of coverage dated
        ahead of time reaches its readers when it comes.
        """
        loop = asyncio.get_running_loop()
        channel = await loop.run_in_executor(self.front._pool(), fanout.current)
        while self.stories:
            await asyncio.sleep(WATCH_SECONDS)
            channel.poll()
            now = time.monotonic()
            for story in list(self.stories):
                purged = fanout.purged.get(keys.article(story), 0.0)
                if purged > self.heard.get(story, 0.0) or now - self.refreshed.get(story, now) > HEARTBEAT_SECONDS:
                    self.heard[story] = max(purged, self.heard.get(story, 0.0))
                    self.refreshed[story] = now
                    self._spawn(self.refresh(story))

    def _spawn(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def refresh(self, story: int) -> None:
        """Make the story's answer once per version its readers show; queue it to each of them."""
        lock = self.locks.setdefault(story, asyncio.Lock())
        async with lock:
            groups: dict[tuple, list[Stream]] = {}
            for stream in self.stories.get(story, ()):
                groups.setdefault((_host(stream.scope), stream.story, stream.version), []).append(stream)
            for (_, address, version), streams in groups.items():
                try:
                    status, _, body = await self.answer(streams[0].scope, address, version)
                except Exception:
                    log.exception("The live answer for story %s after version %s could not be made", story, version)
                    continue
                if status == 404:  # the story was taken down: nothing more will come
                    for stream in streams:
                        stream.queue.put_nowait(END)
                    continue
                if status != 200:
                    continue
                found = json.loads(body)
                if found["changed"] or not found["running"]:
                    sent = event(found["version"], body)
                    for stream in streams:
                        stream.version = found["version"]
                        stream.queue.put_nowait((sent, found["running"]))


def _host(scope: dict) -> bytes:
    return next((value for name, value in scope["headers"] if name == b"host"), b"")


def _requested_version(scope: dict) -> int:
    """The version the page shows: ``Last-Event-ID`` on a reconnection, else ``?version=`` (0 if neither)."""
    for name, value in scope["headers"]:
        if name == b"last-event-id" and value.strip().isdigit():
            return int(value)
    found = re.search(rb"(?:^|&)version=([0-9]{1,18})(?:&|$)", scope.get("query_string", b""))
    return int(found.group(1)) if found else 0


class LiveStreams:
    """ASGI and RSGI middleware serving ``/news/<id>/updates/stream/`` on the event loop; the rest goes to ``front``.

    ``front`` is the ``delivery.front.Front`` whose application and thread pool make the answers.
    """

    def __init__(self, front):
        self.front = front
        self.streams = Streams(front)
        self.path = _path()

    async def __call__(self, scope, receive, send):
        found = self.path.fullmatch(scope["path"]) if scope["type"] == "http" else None
        if found is None or scope["method"] != "GET":
            await self.front(scope, receive, send)
            return

        async def start(status, headers):
            await send({"type": "http.response.start", "status": status,
                        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]})

        async def write(chunk):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})

        async def whole(status, headers, body):
            await start(status, headers)
            await send({"type": "http.response.body", "body": body, "more_body": False})

        async def gone():
            while (await receive())["type"] != "http.disconnect":
                pass

        if await self._serve(scope, found, start=start, write=write, whole=whole, gone=gone):
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def __rsgi__(self, scope, protocol):
        found = self.path.fullmatch(scope.path) if scope.proto == "http" else None
        if found is None or scope.method != "GET":
            await self.front.__rsgi__(scope, protocol)
            return
        transport = None

        async def start(status, headers):
            nonlocal transport
            transport = protocol.response_stream(status, headers)

        async def write(chunk):
            await transport.send_bytes(chunk)

        async def whole(status, headers, body):
            protocol.response_bytes(status, headers, body)

        await self._serve(_asgi_scope(scope), found, start=start, write=write, whole=whole,
                          gone=protocol.client_disconnect)

    def __rsgi_del__(self, loop):
        self.front.__rsgi_del__(loop)

    async def _serve(self, scope, found: re.Match, *, start, write, whole, gone) -> bool:
        """Answer one stream request; whether a stream was started (else ``whole`` answered it)."""
        streams = self.streams
        address, story = found.group(1), int(found.group(2))
        if streams.full():
            await whole(503, [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store"),
                              ("Retry-After", str(REFUSED_RETRY_SECONDS))],
                        b"This server holds all the live streams it can; the page asks for updates instead.\n")
            return False
        version = _requested_version(scope)
        # The answers are what an anonymous reader polling from this host is given, shared by every
        # stream at the same version: the reader's cookies and credentials are not passed on.
        reader = {**scope, "headers": [(b"host", _host(scope)), (b"accept", b"application/json")]}
        heard = fanout.purged.get(keys.article(story), 0.0)
        status, headers, body = await streams.answer(reader, address, version)
        if status != 200:
            kept = [(k, v) for k, v in headers if k.lower() in ("content-type", "content-length")]
            await whole(status, kept + [("Cache-Control", "no-store")], body)
            return False
        answer = json.loads(body)
        await start(200, STREAM_HEADERS)
        stream = Stream(reader, address, answer["version"])
        first = b"retry: %d\n\n" % RETRY_MS
        if answer["changed"] or not answer["running"]:
            first += event(answer["version"], body)
        try:
            await write(first)
            if not answer["running"]:
                return True
            streams.add(story, stream, heard=heard)
            watcher = asyncio.get_running_loop().create_task(_ending(gone, stream.queue))
            try:
                while True:
                    try:
                        item = await asyncio.wait_for(stream.queue.get(), HEARTBEAT_SECONDS)
                    except TimeoutError:
                        await write(HEARTBEAT)
                        continue
                    if item is END:
                        return True
                    sent, running = item
                    await write(sent)
                    if not running:
                        return True
            finally:
                watcher.cancel()
                streams.remove(story, stream)
        except (OSError, RuntimeError):  # the client went away while being written to (granian: ProtocolClosed)
            return False


async def _ending(gone, queue: asyncio.Queue) -> None:
    """Queue END once the client has gone away, so its stream stops waiting for the next update."""
    try:
        await gone()
    except Exception:
        pass
    queue.put_nowait(END)
