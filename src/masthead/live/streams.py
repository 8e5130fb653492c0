"""Live coverage as Server-Sent Events: ``/news/<News ID>/updates/stream/``, held on the server's event loop.

An open page's script may hold one stream instead of polling ``/news/<id>/updates/?version=<v>``.
Each event is that polling answer for the version the page showed before it — the same JSON,
made by the same view (``live/views.py``), taken from the page cache when a worker holds it —
with ``id:`` the version it brings the page to, so a browser that reconnects sends
``Last-Event-ID`` and is sent what it missed. A comment line every ``HEARTBEAT_SECONDS`` keeps
proxies from closing a quiet stream; the stream ends with the event that says the coverage has ended.

A stream is a coroutine waiting for its story's next broadcast: a socket and a few kilobytes, no
thread. Each server process keeps its open streams by story, and one background task a process
watches the purge fan-out (``delivery/fanout.py``: the purge log, or Redis pub/sub). When a story
with open streams is purged, the process makes the new answer once for each version its readers
show (almost always one) and broadcasts it to every stream of that story. A process holds at most
``settings.LIVE_STREAMS`` streams; past that it answers 503 with ``Retry-After`` and the page polls.
"""

import asyncio
import contextlib
import io
import json
import logging
import re
import time

from django.conf import settings

from masthead.delivery import fanout, keys
from masthead.delivery.front import asgi_scope, wsgi_environ

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


def _path():
    """The stream's address, in every edition's language prefix (``/fa/news/…``) or none."""
    languages = "|".join(re.escape(code) for code, _ in settings.LANGUAGES)
    return re.compile(rf"((?:/(?:{languages}))?/news/([1-9][0-9]{{0,18}}))/updates/stream/")


class Stream:
    """One open stream: the host and address it follows, the version its reader shows, and whether the reader left."""

    __slots__ = ("scope", "key", "version", "closed")

    def __init__(self, scope: dict, address: str, version: int):
        self.scope = scope
        self.key = (_host(scope), address)
        self.version = version
        self.closed = False


def event(version: int, body: bytes) -> bytes:
    """One event: the polling answer's JSON (one line: JSON escapes newlines) under the version it brings."""
    return b"id: %d\ndata: %s\n\n" % (version, body)


class News:
    """What one broadcast brings a story's streams: for each (host, address), the events made after each
    version its readers showed, as (after, version, event, running); and whether it is also a heartbeat."""

    __slots__ = ("events", "heartbeat")

    def __init__(self, events: dict, *, heartbeat: bool):
        self.events = events
        self.heartbeat = heartbeat

    def for_stream(self, stream: Stream) -> tuple | None:
        """The event that brings ``stream`` up to date, if any: the one made after the latest version
        not newer than the stream's (changes after an older version hold those after a newer one,
        and a page applies a change twice to the same effect)."""
        chosen = None
        for found in self.events.get(stream.key, ()):
            after, version = found[0], found[1]
            if after <= stream.version < version and (chosen is None or after > chosen[0]):
                chosen = found
        return chosen


GONE = News({}, heartbeat=False)  # the story has no coverage any more, or no stream is left to hear it


class Story:
    """A story's open streams in this process, and the chain of broadcasts they follow.

    Every stream awaits the story's ``next`` future; a broadcast resolves it with the news and the
    future after it, so a stream that was busy writing misses nothing: it follows the chain.
    """

    __slots__ = ("streams", "heard", "refreshed", "lock", "next")

    def __init__(self, heard: float):
        self.streams: set[Stream] = set()
        self.heard = heard  # the latest purge of the story's key acted on
        self.refreshed = time.monotonic()  # when its answers were last made
        self.lock = asyncio.Lock()
        self.next = asyncio.get_running_loop().create_future()

    def broadcast(self, news: News) -> None:
        current, self.next = self.next, asyncio.get_running_loop().create_future()
        current.set_result((news, self.next))


class Streams:
    """This process's open streams by story, kept current from the purge fan-out by one task."""

    def __init__(self, front):
        self.front = front
        self.stories: dict[int, Story] = {}
        self.count = 0
        self.watcher = None
        self.tasks: set[asyncio.Task] = set()  # refreshes under way (the loop keeps only weak references)

    def full(self) -> bool:
        return self.count >= settings.LIVE_STREAMS

    async def answer(self, scope: dict, address: str, version: int) -> tuple[int, list, bytes]:
        """The polling answer after ``version``, as a reader at ``scope`` would be given it; ``address`` is
        the story's address up to its updates (``/fa/news/12``)."""
        request = {**scope, "path": f"{address}/updates/", "query_string": f"version={version}".encode()}
        return await self.front.answer(wsgi_environ(request, body=io.BytesIO(), length=0))

    def add(self, story_id: int, stream: Stream, *, heard: float) -> Story:
        """Register ``stream``, whose first answer was made knowing of purges up to ``heard``; its story."""
        story = self.stories.get(story_id)
        if story is None:
            story = self.stories[story_id] = Story(heard)
        elif story.heard > heard:
            # A purge after this stream's first answer was made, already acted on for the others.
            self._spawn(self.refresh(story_id, story, heartbeat=False))
        story.streams.add(stream)
        self.count += 1
        if self.watcher is None or self.watcher.done():
            self.watcher = asyncio.get_running_loop().create_task(self.watch())
        return story

    def remove(self, story_id: int, stream: Stream) -> None:
        stream.closed = True
        story = self.stories.get(story_id)
        if story is not None and stream in story.streams:
            story.streams.discard(stream)
            self.count -= 1
            if not story.streams:
                del self.stories[story_id]
                story.broadcast(GONE)  # streams of readers who left and still wait, end

    async def watch(self) -> None:
        """While any stream is open: hand each purge of a watched story to its streams.

        Every ``HEARTBEAT_SECONDS`` a story's answers are made again even without a purge, so an end
        of coverage dated ahead of time reaches its readers when it comes; streams with nothing new
        are sent a comment then.
        """
        channel = await self.front.run(fanout.current)  # made on first use: with Redis, it connects
        while self.stories:
            await asyncio.sleep(WATCH_SECONDS)
            channel.poll()
            now = time.monotonic()
            for story_id, story in list(self.stories.items()):
                purged = fanout.purged.get(keys.article(story_id), 0.0)
                if purged > story.heard or now - story.refreshed > HEARTBEAT_SECONDS:
                    heartbeat = purged <= story.heard
                    story.heard, story.refreshed = max(purged, story.heard), now
                    self._spawn(self.refresh(story_id, story, heartbeat=heartbeat))

    def _spawn(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def refresh(self, story_id: int, story: Story, *, heartbeat: bool) -> None:
        """Make the story's answer once for each version its readers show, and broadcast what changed."""
        async with story.lock:
            groups: dict[tuple, Stream] = {}
            for stream in story.streams:
                groups.setdefault((*stream.key, stream.version), stream)
            events: dict[tuple, list] = {}
            for (host, address, version), stream in groups.items():
                try:
                    status, _, body = await self.answer(stream.scope, address, version)
                except Exception:
                    log.exception("The live answer for story %s after version %s could not be made", story_id, version)
                    continue
                if status == 404:  # taken down: nothing more will come
                    story.broadcast(GONE)
                    return
                if status != 200:
                    continue
                found = json.loads(body)
                if found["changed"] or not found["running"]:
                    events.setdefault((host, address), []).append(
                        (version, found["version"], event(found["version"], body), found["running"]))
            if events or heartbeat:
                story.broadcast(News(events, heartbeat=heartbeat))


def _host(scope: dict) -> bytes:
    return next((value for name, value in scope["headers"] if name == b"host"), b"")


def _requested_version(scope: dict) -> int:
    """The version the page shows: ``Last-Event-ID`` on a reconnection, else ``?version=`` (0 if neither)."""
    for name, value in scope["headers"]:
        if name == b"last-event-id" and re.fullmatch(rb"\s*[0-9]{1,18}\s*", value):
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
            with contextlib.suppress(OSError, RuntimeError):  # the reader may have gone
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

        await self._serve(asgi_scope(scope), found, start=start, write=write, whole=whole,
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
            waiting = streams.add(story, stream, heard=heard).next
            watcher = asyncio.get_running_loop().create_task(_ending(gone, lambda: streams.remove(story, stream)))
            try:
                while True:
                    news, waiting = await waiting
                    if stream.closed or news is GONE:
                        return True
                    found = news.for_stream(stream)
                    if found is not None:
                        await write(found[2])
                        stream.version = found[1]
                        if not found[3]:  # the coverage has ended
                            return True
                    elif news.heartbeat:
                        await write(HEARTBEAT)
            finally:
                watcher.cancel()
                streams.remove(story, stream)
        except (OSError, RuntimeError):  # the client went away while being written to (granian: ProtocolClosed)
            return False


async def _ending(gone, remove) -> None:
    """Remove a stream as soon as its client goes away: its place is free at once, and it ends at the next broadcast."""
    try:
        await gone()
    except Exception:
        pass
    remove()
