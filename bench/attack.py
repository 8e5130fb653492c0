"""Readers under a slow-client attack: article fetches while slowhttptest holds 1,000 connections.

    .venv/bin/python -m bench.attack [--seconds 60] [--slow 500] [--servers uvicorn,granian,gunicorn] [--workers 1]
    .venv/bin/python -m bench.attack --reference   # also the former set-up: granian's WSGI threads

For each server, `masthead serve` runs the demo paper on a free loopback port (the `make run`
set-up: one worker, four threads). Two slowhttptest runs open ``--slow`` connections each: one
sends comment bodies to ``/comments/<id>/post/`` a few bytes at a time (-B), the other never
finishes its request headers (-H). Meanwhile one reader fetches article pages one after the other,
each on a new connection with a 5 s limit, and the bench reports their p50, p99 and failures.
Target: p99 under 100 ms and no failed fetch. Exits 1 when the target is missed.
"""

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import load
from bench.run import _wait_until_up, machine
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TARGET_P99_MS = 100.0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="how long the attack lasts (default 60)")
    parser.add_argument("--slow", type=int, default=500, help="slow-body and slow-header connections, each (default 500)")
    parser.add_argument("--servers", default="uvicorn,granian,gunicorn",
                        help="uvicorn, granian and/or gunicorn (default all three)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (default 1, as `make run`)")
    parser.add_argument("--production", action="store_true",
                        help="the production set-up: MASTHEAD_PRODUCTION=1, two workers sharing a Redis cache")
    parser.add_argument("--reference", action="store_true",
                        help="also measure granian serving the WSGI app on its own threads (the former set-up)")
    args = parser.parse_args(argv)
    if shutil.which("slowhttptest") is None:
        parser.error("slowhttptest is not installed: apt-get install slowhttptest")
    return args


def prepare(var_dir: Path) -> dict:
    env = dict(os.environ, MASTHEAD_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="masthead.settings")
    masthead = str(Path(sys.executable).with_name("masthead"))
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["demo"]):
        subprocess.run([masthead, *command], env=env, check=True, stdout=subprocess.DEVNULL)
    return env


@contextlib.contextmanager
def serving(name: str, *, env: dict, workers: int, log_dir: Path):
    """Run the server ``name`` on a free loopback port; yield the port."""
    port = free_port()
    bin_dir = Path(sys.executable).parent
    if name == "granian-wsgi":
        argv = [str(bin_dir / "granian"), "--interface", "wsgi", "--host", load.HOST, "--port", str(port),
                "--workers", str(workers), "--blocking-threads", "4", "--no-ws", "--log-level", "warning",
                "masthead.wsgi:application"]
    else:
        argv = [str(bin_dir / "masthead"), "serve", "--server", name, "--host", load.HOST, "--port", str(port),
                "--workers", str(workers)]
    log = open(log_dir / f"attack-{name}.log", "w")
    process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_up(port, process, timeout=60)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        # The server's own process group: a worker must not outlive its master.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        log.close()


def article_paths(port: int) -> list[str]:
    conn = http.client.HTTPConnection(load.HOST, port, timeout=10)
    conn.request("GET", "/")
    home = conn.getresponse().read().decode()
    conn.close()
    import re

    paths = sorted(set(re.findall(r'href="(/news/\d+/[^"/]+/)"', home)))
    if not paths:
        raise RuntimeError("the home page links no article")
    return paths


class Attacker(threading.Thread):
    """Keeps ``connections`` slowhttptest connections open until ``until`` (``-B`` bodies, ``-H`` headers).

    The server drops a slow client at its deadline and slowhttptest then stops, so a new run
    starts each time one ends, as an attacker would reconnect.
    """

    def __init__(self, mode: str, *, url: str, connections: int, until: float, log_dir: Path):
        super().__init__(daemon=True)
        self.mode, self.url, self.connections, self.until, self.log_dir = mode, url, connections, until, log_dir
        self.runs, self.held, self.process, self.stopped = 0, 0, None, threading.Event()

    def run(self):
        while not self.stopped.is_set() and (remaining := int(self.until - time.monotonic())) > 2:
            self.runs += 1
            prefix = self.log_dir / f"slowhttptest{self.mode}-{self.runs}"
            argv = ["slowhttptest", self.mode, "-c", str(self.connections), "-r", str(max(50, self.connections // 2)),
                    "-l", str(remaining), "-i", "5", "-x", "20", "-p", "3", "-u", self.url, "-g", "-o", str(prefix)]
            if self.mode == "-B":
                argv += ["-t", "POST", "-s", "8192"]
            with open(f"{prefix}.log", "w") as out:
                self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
                self.process.wait()
            self.held = max(self.held, connected(Path(f"{prefix}.csv")))

    def stop(self):
        self.stopped.set()
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
        self.join(timeout=30)


def read_articles(port: int, paths: list[str], *, seconds: float) -> dict:
    """One reader fetching articles, a new connection each; latencies in ms and failures."""
    times, failures = [], []
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        path = paths[n % len(paths)]
        n += 1
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(load.HOST, port, timeout=5)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                failures.append(f"{path}: HTTP {response.status}")
                continue
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{path}: {type(error).__name__}: {error}")
            continue
        times.append((time.perf_counter() - started) * 1000)
        time.sleep(0.05)  # a reader, not a load generator
    times.sort()

    def pct(q):
        return round(times[min(len(times) - 1, int(q * len(times)))], 1) if times else None

    return {"fetches": len(times) + len(failures), "failed": len(failures), "failures": failures[:10],
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": round(times[-1], 1) if times else None}


def connected(csv: Path) -> int:
    """The most connections one slowhttptest run held at once, from its CSV."""
    most = 0
    with contextlib.suppress(OSError):
        for line in open(csv):
            fields = line.strip().split(",")
            # Seconds,Closed,Pending,Connected,Service Available
            if len(fields) >= 4 and fields[3].isdigit():
                most = max(most, int(fields[3]))
    return most


def attack(name: str, *, env: dict, args, log_dir: Path) -> dict:
    with serving(name, env=env, workers=args.workers, log_dir=log_dir) as port:
        paths = article_paths(port)
        comment_url = f"http://{load.HOST}:{port}/comments/{paths[0].split('/')[2]}/post/"
        for path in paths:  # each page built once, as readers of a live site get them from the cache
            conn = http.client.HTTPConnection(load.HOST, port, timeout=30)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
        quiet = read_articles(port, paths, seconds=5)
        until = time.monotonic() + args.seconds
        attackers = [Attacker("-B", url=comment_url, connections=args.slow, until=until, log_dir=log_dir),
                     Attacker("-H", url=f"http://{load.HOST}:{port}{paths[0]}", connections=args.slow, until=until,
                              log_dir=log_dir)]
        try:
            for attacker in attackers:
                attacker.start()
            settle = min(10, args.seconds / 4)
            time.sleep(settle)  # let the slow connections open
            under_attack = read_articles(port, paths, seconds=args.seconds - settle - 2)
        finally:
            for attacker in attackers:
                attacker.stop()
    met = under_attack["failed"] == 0 and under_attack["p99_ms"] is not None and under_attack["p99_ms"] < TARGET_P99_MS
    body, header = attackers
    return {"server": name, "quiet": quiet, "under_attack": under_attack, "met": met,
            "slow_body_connected": body.held, "slow_body_runs": body.runs,
            "slow_header_connected": header.held, "slow_header_runs": header.runs}


def main(argv) -> int:
    args = parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    log_dir = RESULTS / f"attack-{stamp}"
    log_dir.mkdir()
    var_dir = Path(tempfile.mkdtemp(prefix="masthead-bench-attack-"))
    results = {"date": stamp, "machine": machine(), "seconds": args.seconds, "slow_connections": args.slow,
               "workers": args.workers, "runs": []}
    try:
        with contextlib.ExitStack() as stack:
            env = prepare(var_dir)
            if args.production:
                import secrets

                from tests.servers import redis

                # Plain HTTP on loopback stands for the TLS-terminating proxy in front.
                env.update(MASTHEAD_PRODUCTION="1", MASTHEAD_SECRET_KEY=secrets.token_urlsafe(50), MASTHEAD_SSL_REDIRECT="0",
                           MASTHEAD_CACHE_URL=stack.enter_context(redis()))
                args.workers = max(2, args.workers)
                results.update(production=True, workers=args.workers)
            run_all(args, env=env, results=results, log_dir=log_dir)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        results["machine"]["load_average_after"] = os.getloadavg()
        (RESULTS / f"attack-{stamp}.json").write_text(json.dumps(results, indent=2))
    # The reference run shows the former set-up failing; only the served set-ups must meet the target.
    return 0 if all(run["met"] for run in results["runs"] if run["server"] != "granian-wsgi") else 1


def run_all(args, *, env: dict, results: dict, log_dir: Path) -> None:
    """Attack each server in turn and print what its reader saw."""
    names = [s.strip() for s in args.servers.split(",") if s.strip()] + (["granian-wsgi"] if args.reference else [])
    for name in names:
        print(f"--- {name}: {args.slow} slow-body + {args.slow} slow-header connections for {args.seconds} s", flush=True)
        run = attack(name, env=env, args=args, log_dir=log_dir)
        results["runs"].append(run)
        a, q = run["under_attack"], run["quiet"]
        print(f"quiet:        {q['fetches']} fetches, p50 {q['p50_ms']} ms, p99 {q['p99_ms']} ms, {q['failed']} failed")
        print(f"under attack: {a['fetches']} fetches, p50 {a['p50_ms']} ms, p99 {a['p99_ms']} ms, "
              f"max {a['max_ms']} ms, {a['failed']} failed")
        print(f"slow connections held at once: {run['slow_body_connected']} bodies ({run['slow_body_runs']} runs), "
              f"{run['slow_header_connected']} headers ({run['slow_header_runs']} runs)")
        for failure in a["failures"][:3]:
            print(f"  failed: {failure}")
        print(f"target p99 < {TARGET_P99_MS:.0f} ms, none failed: {'met' if run['met'] else 'missed'}", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
