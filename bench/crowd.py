"""A crowd of open live pages: N simulated readers polling a story's updates answer, as live.js does.

    .venv/bin/python -m bench.crowd --port 8123 --story 1 --readers 10000 --poll 1 --seconds 60 --out crowd.json

Each reader keeps the version of the coverage it shows and asks
``/news/<id>/updates/?version=<v>`` every --poll seconds from a random phase of its own (fixed
for the run, so 10,000 readers polling every second send 10,000 requests a second, evenly
spread), then takes the answer's version. One asyncio loop sends them over at most
--connections keep-alive HTTP/1.1 connections (a bounded client: the polls queue when every
connection is busy, and the report says how late they went out). Everything goes to 127.0.0.1.

It writes a JSON report to --out: requests, errors, the achieved rate, how late polls left
against their schedule (p50, p99), the client's own CPU time, and for every update number
first seen during the run the wall-clock times (``time.time()``) at which each reader first
held it, for the caller to set against the moment it posted it.
"""

import argparse
import asyncio
import json
import random
import resource
import time

HOST = "127.0.0.1"


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


async def crowd(*, port: int, story: int, readers: int, poll: float, connections: int, seconds: float,
                host_header: str = "localhost") -> dict:
    """Run the crowd for ``seconds`` and return its report."""
    first = Connection(port, host_header)
    status, body = await first.get(f"/news/{story}/updates/?version=0")
    if status != 200:
        raise SystemExit(f"/news/{story}/updates/?version=0 answered {status}: {body[:200]!r}")
    start_version = json.loads(body)["version"]
    first.close()
    versions = [start_version] * readers
    phases = sorted((random.uniform(0, poll), n) for n in range(readers))
    queue: asyncio.Queue = asyncio.Queue()
    seen: dict[int, list[float]] = {}
    late: list[float] = []
    counts = {"requests": 0, "errors": 0, "not_ok": 0, "dropped": 0}
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
                queue.put_nowait((due, reader))
            round_start += poll

    async def worker() -> None:
        connection = Connection(port, host_header)
        while True:
            due, reader = await queue.get()
            sent = loop.time()
            if sent >= ends + poll:  # the run is over; what is still queued was never sent
                counts["dropped"] += 1
                queue.task_done()
                continue
            late.append(sent - due)
            try:
                status, body = await connection.get(f"/news/{story}/updates/?version={versions[reader]}")
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                counts["errors"] += 1
                queue.task_done()
                continue
            counts["requests"] += 1
            if status != 200:
                counts["not_ok"] += 1
            else:
                answer = json.loads(body)
                if answer.get("changed"):
                    now = time.time()
                    for number in answer.get("numbers", ()):
                        seen.setdefault(number, []).append(now)
                versions[reader] = max(versions[reader], answer["version"])
            queue.task_done()

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--story", type=int, required=True, help="News ID of the live story")
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between one reader's polls")
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections at most")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    report = asyncio.run(crowd(port=args.port, story=args.story, readers=args.readers, poll=args.poll,
                               connections=args.connections, seconds=args.seconds))
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(report, out)


if __name__ == "__main__":
    main()
