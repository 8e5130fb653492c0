"""A crowd of open live pages: N simulated readers polling a story's updates answer, or holding its stream, as live.js does.

    .venv/bin/python -m bench.crowd --port 8123 --story 1 --readers 10000 --poll 1 --seconds 60 --out crowd.json
    .venv/bin/python -m bench.crowd --port 8123 --story 1 --readers 10000 --sse --seconds 60 --out crowd.json

Each reader keeps the version of the coverage it shows and asks
``/news/<id>/updates/?version=<v>`` every --poll seconds from a random phase of its own (fixed
for the run, so 10,000 readers polling every second send 10,000 requests a second, evenly
spread), then takes the answer's version. One asyncio loop sends them over at most
--connections keep-alive HTTP/1.1 connections (a bounded client: the polls queue when every
connection is busy, and the report says how late they went out). A reader whose last poll is still
queued or unanswered skips its turn, as live.js asks again only once an answer is in: that turn
counts as dropped. Everything goes to 127.0.0.1.

It writes a JSON report to --out: requests, errors, the achieved rate, how late polls left
against their schedule (p50, p99), the client's own CPU time, and for every update number
first seen during the run the wall-clock times (``time.time()``) at which each reader first
held it, for the caller to set against the moment it posted it.

With --sse each reader instead opens ``/news/<id>/updates/stream/`` (Server-Sent Events) once, on a
connection of its own (so N readers are N sockets: the open-files limit is raised to its hard
limit), and notes when each event reaches it; the report says how many streams were opened,
refused (503) or failed, how many the server ended or broke while held, and the client's CPU.
"""

import argparse
import asyncio
import json
import os
import random
import re
import resource
import time

HOST = "127.0.0.1"
NUMBERS = re.compile(rb'"numbers": \[([0-9, ]*)\]')


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Connection:
    """One keep-alive HTTP/1.1 connection to the server; reopened when the server closes it."""

    def __init__(self, port: int, host_header: str):
        self.port, self.host_header = port, host_header
        self.reader = self.writer = None

    async def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
            try:
                self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host_header}\r\nAccept: application/json\r\n\r\n"
                                  .encode())
                head = await self.reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                lower = head.lower()
                at = lower.find(b"content-length:")
                if at >= 0:
                    body = await self.reader.readexactly(int(lower[at + 15:lower.find(b"\r\n", at)]))
                elif b"transfer-encoding: chunked" in lower:  # Varnish streams a miss as it fetches it
                    body = await self._chunked()
                else:
                    raise ConnectionError("answer with neither Content-Length nor chunks")
                if b"connection: close" in lower:
                    self.close()
                return status, body
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")  # no trailers are sent here
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size + 2))
            parts[-1] = parts[-1][:-2]

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _current_version(port: int, story: int, host_header: str) -> int:
    """The story's coverage version as a reader starting now is given it."""
    first = Connection(port, host_header)
    status, body = await first.get(f"/news/{story}/updates/?version=0")
    if status != 200:
        raise SystemExit(f"/news/{story}/updates/?version=0 answered {status}: {body[:200]!r}")
    first.close()
    return json.loads(body)["version"]


async def crowd(*, port: int, story: int, readers: int, poll: float, connections: int, seconds: float,
                host_header: str = "localhost") -> dict:
    """Run the crowd for ``seconds`` and return its report."""
    start_version = await _current_version(port, story, host_header)
    versions = [start_version] * readers
    phases = sorted((random.uniform(0, poll), n) for n in range(readers))
    queue: asyncio.Queue = asyncio.Queue()
    seen: dict[int, list[float]] = {}
    late: list[float] = []
    counts = {"requests": 0, "errors": 0, "not_ok": 0, "dropped": 0}
    waiting: set[int] = set()  # readers with a poll queued or unanswered
    loop = asyncio.get_running_loop()
    began = loop.time() + 0.2
    ends = began + seconds

    async def dispatch() -> None:
        round_start = began
        while round_start < ends:
            for phase, reader in phases:
                due = round_start + phase
                if due >= ends:
                    return
                wait = due - loop.time()
                if wait > 0.002:  # sleep in steps; a few readers per millisecond go out together
                    await asyncio.sleep(wait)
                if reader in waiting:
                    counts["dropped"] += 1
                    continue
                waiting.add(reader)
                queue.put_nowait((due, reader))
            round_start += poll

    async def worker() -> None:
        connection = Connection(port, host_header)
        while True:
            due, reader = await queue.get()
            try:
                await ask(connection, due, reader)
            finally:
                waiting.discard(reader)
                queue.task_done()

    async def ask(connection, due: float, reader: int) -> None:
        sent = loop.time()
        if sent >= ends + poll:  # the run is over; what is still queued was never sent
            counts["dropped"] += 1
            return
        late.append(sent - due)
        try:
            status, body = await connection.get(f"/news/{story}/updates/?version={versions[reader]}")
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            counts["errors"] += 1
            return
        counts["requests"] += 1
        if status != 200:
            counts["not_ok"] += 1
            return
        answer = json.loads(body)
        if answer.get("changed"):
            now = time.time()
            for number in answer.get("numbers", ()):
                seen.setdefault(number, []).append(now)
        versions[reader] = max(versions[reader], answer["version"])

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    await dispatch()
    await asyncio.wait_for(queue.join(), timeout=poll + 30)
    took = loop.time() - began
    for task in workers:
        task.cancel()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = (cpu.ru_utime - cpu_before.ru_utime) + (cpu.ru_stime - cpu_before.ru_stime)
    return {
        "readers": readers, "poll_seconds": poll, "connections": connections, "seconds": round(took, 2),
        "requests": counts["requests"], "errors": counts["errors"], "not_ok": counts["not_ok"],
        "dropped": counts["dropped"],
        "requests_per_second": round(counts["requests"] / took, 1), "scheduled_per_second": round(readers / poll, 1),
        "late_p50_s": round(_percentile(late, 0.5), 4), "late_p99_s": round(_percentile(late, 0.99), 4),
        "client_cpu_seconds": round(cpu_seconds, 2), "client_cpu_share_of_a_core": round(cpu_seconds / took, 3),
        "start_version": start_version, "seen": {str(n): times for n, times in seen.items()},
    }


def raise_open_files() -> int:
    """Raise this process's open-files limit to its hard limit (children inherit it); the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


async def _open_stream(port: int, path: str, host_header: str):
    """Open one stream (``GET`` of a ``text/event-stream``); its reader, writer and status."""
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nAccept: text/event-stream\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    if status != 200:
        writer.close()
        return None, None, status
    if b"transfer-encoding: chunked" not in head.lower():
        writer.close()
        raise ConnectionError("a stream answered without chunks")
    return reader, writer, status


async def _events(reader):
    """The events of a chunked ``text/event-stream`` body, as the data of each (comments skipped)."""
    pending = b""
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            return
        pending += (await reader.readexactly(size + 2))[:-2]
        while b"\n\n" in pending:
            block, pending = pending.split(b"\n\n", 1)
            for line in block.split(b"\n"):
                if line.startswith(b"data: "):
                    yield line[6:]


async def streams(*, port: int, story: int, readers: int, seconds: float, opening: int = 256,
                  host_header: str = "localhost", ready: str | None = None, until: str | None = None) -> dict:
    """Hold ``readers`` streams of the story's updates open; return when ``until`` exists (or after ``seconds``).

    Streams are opened --opening at a time; once all are open (or refused), the file ``ready`` is
    written. Every event's update numbers are noted with the time each reader received them.
    """
    start_version = await _current_version(port, story, host_header)
    seen: dict[int, list[float]] = {}
    counts = {"opened": 0, "refused": 0, "failed": 0, "dropped": 0, "events": 0}
    gate = asyncio.Semaphore(opening)
    writers = []
    loop = asyncio.get_running_loop()
    opened_all = asyncio.Event()
    pending_opens = [readers]

    async def reader_task() -> None:
        try:
            async with gate:
                try:
                    reader, writer, status = await _open_stream(
                        port, f"/news/{story}/updates/stream/?version={start_version}", host_header)
                except (ConnectionError, asyncio.IncompleteReadError, OSError):
                    counts["failed"] += 1
                    return
                if reader is None:
                    counts["refused" if status == 503 else "failed"] += 1
                    return
                counts["opened"] += 1
                writers.append(writer)
        finally:
            pending_opens[0] -= 1
            if pending_opens[0] == 0:
                opened_all.set()
        try:
            async for data in _events(reader):
                now = time.time()
                counts["events"] += 1
                # Only the numbers are read (the answer's JSON writes them as one list): parsing every
                # event whole cost the client more CPU than the server spent sending it.
                found = NUMBERS.search(data)
                for number in found.group(1).split(b",") if found and found.group(1).strip() else ():
                    seen.setdefault(int(number), []).append(now)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        counts["dropped"] += 1  # the server ended the stream or the connection broke

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    began = loop.time()
    tasks = [asyncio.create_task(reader_task()) for _ in range(readers)]
    await opened_all.wait()
    opening_took = loop.time() - began
    if ready:
        with open(ready, "w") as marker:
            marker.write(str(counts["opened"]))
    ends = loop.time() + seconds
    while loop.time() < ends and not (until and os.path.exists(until)):
        await asyncio.sleep(0.1)
    held = loop.time() - began - opening_took
    dropped = counts["dropped"]  # streams the server ended or that broke while held
    for writer in writers:
        writer.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = (cpu.ru_utime - cpu_before.ru_utime) + (cpu.ru_stime - cpu_before.ru_stime)
    return {
        "readers": readers, "transport": "sse", "opened": counts["opened"], "refused": counts["refused"],
        "failed": counts["failed"], "dropped": dropped, "events": counts["events"],
        "opening_seconds": round(opening_took, 2),
        "held_seconds": round(held, 2), "client_cpu_seconds": round(cpu_seconds, 2),
        "start_version": start_version, "seen": {str(n): times for n, times in seen.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--story", type=int, required=True, help="News ID of the live story")
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between one reader's polls")
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections at most")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--out", required=True)
    parser.add_argument("--sse", action="store_true",
                        help="each reader holds a stream (/news/<id>/updates/stream/) instead of polling")
    parser.add_argument("--ready", help="with --sse: a file written once every stream is open")
    parser.add_argument("--until", help="with --sse: hold the streams until this file exists (--seconds at most)")
    args = parser.parse_args()
    raise_open_files()
    if args.sse:
        report = asyncio.run(streams(port=args.port, story=args.story, readers=args.readers, seconds=args.seconds,
                                     ready=args.ready, until=args.until))
    else:
        report = asyncio.run(crowd(port=args.port, story=args.story, readers=args.readers, poll=args.poll,
                                   connections=args.connections, seconds=args.seconds))
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(report, out)


if __name__ == "__main__":
    main()
