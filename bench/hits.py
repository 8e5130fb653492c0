"""The read beacon under load: wrk POSTs ``/hit/<News ID>`` to ``masthead serve`` on loopback.

``python -m bench.hits`` (or ``make bench BENCH=hits``) makes a throwaway SQLite site with 50
stories, serves it with granian, and for each counter store (each process's memory, then a
throwaway Redis) runs wrk for ``--duration`` seconds. Every request names another story and
another browser, so each one is a new read that takes the whole counting path (rules, hash,
store); at the end the counts in the database are checked against what wrk sent.
The target is 5,000 hits a second on this 2-core machine, load generator included.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests import servers

STORIES = 50
WRK_SCRIPT = r"""
local counter = 0
local first, stories = tonumber(os.getenv("BENCH_FIRST")), tonumber(os.getenv("BENCH_STORIES"))
local threads = 0
function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end
function request()
  counter = counter + 1
  local agent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 n" .. thread_number .. "-" .. counter
  return wrk.format("POST", "/hit/" .. (first + counter % stories), {["User-Agent"] = agent, ["Content-Length"] = "0"}, "")
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def _masthead(args: list[str], env: dict) -> str:
    return subprocess.run([sys.executable, "-m", "masthead.cli", *args], env=env, check=True, capture_output=True,
                          text=True, timeout=600).stdout


def _setup(env: dict) -> int:
    _masthead(["migrate", "--noinput", "-v0"], env)
    code = ("from tests.news.factories import make_article, make_section; s = make_section(name='Bench'); "
            f"ids = [make_article(section=s).pk for _ in range({STORIES})]; print(min(ids))")
    return int(_masthead(["shell", "-c", code], env).strip().splitlines()[-1])


def _reads(env: dict) -> int:
    code = "from django.db.models import Sum; from masthead.audience.models import StoryReads; " \
           "print(StoryReads.objects.aggregate(n=Sum('count'))['n'] or 0)"
    return int(_masthead(["shell", "-c", code], env).strip().splitlines()[-1])


def _wrk(base: str, *, first: int, duration: int, connections: int, threads: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        finished = subprocess.run(["nice", "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s",
                                   "-s", script.name, base + "/"],
                                  env={**os.environ, "BENCH_FIRST": str(first), "BENCH_STORIES": str(STORIES)},
                                  capture_output=True, text=True, timeout=duration + 60)
    finally:
        os.unlink(script.name)
    line = next((ln for ln in finished.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {finished.stderr or finished.stdout}")
    found = json.loads(line.removeprefix("BENCH "))
    seconds = found["duration_us"] / 1e6
    return {"requests": found["requests"], "hits_per_second": round(found["requests"] / seconds),
            "p50_ms": found["p50_us"] / 1000, "p99_ms": found["p99_us"] / 1000,
            "errors": found["errors"] + found["non_2xx"]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per store (default 10)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="server processes (default 2)")
    parser.add_argument("--stores", default="memory,redis", help="memory, redis or both (default)")
    options = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine()) if Path("/proc/cpuinfo").exists() else platform.machine()
    results = {"machine": f"{cpu}, {os.cpu_count()} CPUs", "load_before": os.getloadavg(), "runs": {}}
    for store in options.stores.split(","):
        var = tempfile.mkdtemp(prefix="masthead-bench-hits-")
        env = {**os.environ, "MASTHEAD_VAR_DIR": var, "MASTHEAD_CACHE_URL": "", "DJANGO_SETTINGS_MODULE": "masthead.settings"}
        env.pop("MASTHEAD_DATABASE_URL", None)  # SQLite in the throwaway folder
        try:
            with (servers.redis() if store == "redis" else _nothing()) as redis_url:
                if redis_url:
                    env["MASTHEAD_CACHE_URL"] = redis_url
                first = _setup(env)
                with servers.app_server(env, server="granian", workers=options.workers) as base:
                    for _ in range(200):  # warm both workers
                        urllib.request.urlopen(urllib.request.Request(base + f"/hit/{first}", data=b"", method="POST"))
                    run = _wrk(base, first=first, duration=options.duration, connections=options.connections,
                               threads=options.threads)
                    time.sleep(3)  # the servers' memory counters flush every two seconds
                if redis_url:
                    _masthead(["fold_reads"], env)
                run["reads_in_database"] = _reads(env)
                run["load_after"] = os.getloadavg()
                results["runs"][store] = run
                print(f"{store:>6}: {run['hits_per_second']:,} hits/s, p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms, "
                      f"{run['errors']} errors; {run['requests']:,} sent, {run['reads_in_database']:,} reads in the table",
                      flush=True)
        finally:
            shutil.rmtree(var, ignore_errors=True)
    print(json.dumps(results))
    return 0


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
