"""Load on a server at 127.0.0.1: wrk when it is installed, else a small threaded Python client.

Every run is bounded in time (``duration``) and sends traffic to loopback only.
"""

import http.client
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HOST = "127.0.0.1"

# Cycles through a file of paths (BENCH_PATHS), each wrk thread from its own place in it,
# so that every request asks for a different page; without the file it asks for the URL given.
# At the end it prints one JSON line that load() reads back.
WRK_SCRIPT = r"""
local paths, position, stride = nil, 0, 0
local threads = 0
function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end
function init(args)
  local file = os.getenv("BENCH_PATHS")
  if file then
    paths = {}
    for line in io.lines(file) do paths[#paths + 1] = line end
    stride = math.floor(#paths / tonumber(os.getenv("BENCH_THREADS") or "1"))
    position = tonumber(os.getenv("BENCH_OFFSET") or "0") + thread_number * stride
  end
end
function request()
  if paths then
    position = position + 1
    return wrk.format(nil, paths[(position % #paths) + 1])
  end
  return wrk.format(nil)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, ' ..
    '"socket_errors": %d, "http_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass
class Throughput:
    tool: str
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int

    def as_dict(self) -> dict:
        return asdict(self)


def load(port: int, *, path: str, paths_file: Path | None = None, offset: int = 0, duration: float,
         connections: int, threads: int, headers: dict | None = None) -> Throughput:
    """Hammer one page (or, with ``paths_file``, many different pages) for ``duration`` seconds."""
    headers = headers or {}
    if shutil.which("wrk"):
        return _wrk(port, path=path, paths_file=paths_file, offset=offset, duration=duration,
                    connections=connections, threads=threads, headers=headers)
    return _python_load(port, path=path, paths_file=paths_file, offset=offset, duration=duration,
                        connections=connections, headers=headers)


def _wrk(port, *, path, paths_file, offset, duration, connections, threads, headers) -> Throughput:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    env = {**os.environ, "BENCH_OFFSET": str(offset), "BENCH_THREADS": str(threads)}
    env.pop("BENCH_PATHS", None)
    if paths_file:
        env["BENCH_PATHS"] = str(paths_file)
    try:
        finished = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "10s",
             *[f"-H{name}: {value}" for name, value in headers.items()],
             "-s", script.name, f"http://{HOST}:{port}{path}"],
            env=env, capture_output=True, text=True, timeout=duration + 60,
        )
    finally:
        os.unlink(script.name)
    line = next((ln for ln in finished.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result (exit {finished.returncode}): {finished.stderr or finished.stdout}")
    found = json.loads(line.removeprefix("BENCH "))
    seconds = found["duration_us"] / 1e6
    return Throughput("wrk", found["requests"], round(seconds, 2), round(found["requests"] / seconds, 1),
                      round(found["p50_us"] / 1000, 3), round(found["p99_us"] / 1000, 3),
                      found["socket_errors"] + found["http_errors"])


def _python_load(port, *, path, paths_file, offset, duration, connections, headers) -> Throughput:
    paths = paths_file.read_text().split() if paths_file else [path]
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + duration
    lock = threading.Lock()

    def worker(number: int):
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        position = offset + number * max(1, len(paths) // connections)
        mine = []
        while time.monotonic() < deadline:
            position += 1
            began = time.perf_counter()
            try:
                conn.request("GET", paths[position % len(paths)], headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
                continue
            mine.append(time.perf_counter() - began)
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    seconds = time.monotonic() - started
    p50, p99 = _percentiles(latencies)
    return Throughput("python", len(latencies), round(seconds, 2), round(len(latencies) / seconds, 1),
                      round(p50 * 1000, 3), round(p99 * 1000, 3), errors[0])


def _percentiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (0.0, 0.0)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[98]


@dataclass
class ServerTime:
    samples: int
    server_p50_ms: float
    server_p99_ms: float
    client_p50_ms: float
    client_p99_ms: float
    cache: str  # what X-Cache said, e.g. "miss" or "hit"

    def as_dict(self) -> dict:
        return asdict(self)


def server_time(port: int, paths: list[str], *, time_limit: float) -> ServerTime:
    """One request at a time over ``paths``: the app's own time (``Server-Timing: app;dur=``) and the client's."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    server, client, caches = [], [], set()
    deadline = time.monotonic() + time_limit
    try:
        for path in paths:
            if time.monotonic() > deadline:
                break
            began = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            client.append(time.perf_counter() - began)
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}, not 200")
            timing = response.getheader("Server-Timing", "")
            duration = next((part.split("dur=")[1] for part in timing.split(",") if part.strip().startswith("app;")), None)
            if duration is None:
                raise RuntimeError(f"GET {path} has no Server-Timing app;dur= header: {timing!r}")
            server.append(float(duration) / 1000)
            caches.add(response.getheader("X-Cache", "?"))
    finally:
        conn.close()
    server_p50, server_p99 = _percentiles(server)
    client_p50, client_p99 = _percentiles(client)
    return ServerTime(len(server), round(server_p50 * 1000, 3), round(server_p99 * 1000, 3),
                      round(client_p50 * 1000, 3), round(client_p99 * 1000, 3), "/".join(sorted(caches)))
