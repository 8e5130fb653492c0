"""``make bench``: build a synthetic archive, serve it with granian and gunicorn, measure the read path.

    make bench                                  # 100,000 stories on SQLite
    make bench ARGS="--articles 300000"
    make bench ARGS="--postgres"                # a throwaway PostgreSQL server
    make bench ARGS="--database-url postgres://user@127.0.0.1:5432/bench"

The archive goes into its own folder (bench/results/var-<N> by default), never into var/.
All traffic goes to 127.0.0.1; every load run is bounded in time. Results are printed as a table
and written to bench/results/<date>-<time>.json.
"""

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import inprocess, load

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
PAGE_SIZE = 20
TARGET_SERVER_MS = 2.0  # uncached article page, server time p50, at 300,000 stories (issue #13)
TARGET_CACHED_RPS = 5_000  # cached article page
PAPER_SECONDS = 0.0678  # "Page Generated in 0.0678 sec" on the paper's own article page


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench ARGS=…", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000, help="stories in the archive (default 100,000)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", help="an empty database to build into (default: SQLite in --var-dir)")
    where.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL server and use it")
    parser.add_argument("--var-dir", type=Path, help="folder for the SQLite archive and static files "
                        "(default bench/results/var-<articles>)")
    parser.add_argument("--keep", action="store_true", help="keep the archive afterwards; a later run with the "
                        "same --articles reuses it")
    parser.add_argument("--servers", default="uvicorn,granian", help="comma-separated: uvicorn, granian, gunicorn "
                        "(default uvicorn,granian)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", action="store_true", help="start a throwaway Redis and serve with it as "
                        "MASTHEAD_CACHE_URL (the several-hosts set-up) instead of the per-process default")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per page (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="open connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="load-generator threads (default 2)")
    parser.add_argument("--samples", type=int, default=2_000,
                        help="distinct uncached article pages timed one by one (default 2,000)")
    parser.add_argument("--build-only", action="store_true", help="build the archive, report the rate, stop")
    parser.add_argument("--profile", action="store_true",
                        help="also profile uncached article, home and section pages in-process into "
                             "bench/results/profile-<date>-<page>.txt")
    args = parser.parse_args(argv)
    if args.articles < 100:
        parser.error("--articles must be at least 100")
    args.server_list = [s.strip() for s in args.servers.split(",") if s.strip()]
    for server in args.server_list:
        if server not in {"granian", "uvicorn", "gunicorn"}:
            parser.error(f"--servers: unknown server {server!r}; choose granian, uvicorn and/or gunicorn")
    return args


def machine() -> dict:
    """What the figures were measured on."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), cpu)
    memory = "unknown"
    with contextlib.suppress(OSError):
        kib = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    import sqlite3

    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": memory, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "kernel": platform.release(), "load_average": os.getloadavg()}


# ---------------------------------------------------------------- the archive

def build_archive(args, env: dict) -> dict:
    """Migrate, collect static files and fill the database; reuse a kept archive of the same size."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from bench import generate
    from masthead.news.models import Article

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    existing = Article.objects.count()
    if existing == args.articles:
        print(f"Reusing the archive of {existing:,} stories already in the database.", flush=True)
        return {"articles": existing, "reused": True}
    if existing:
        raise SystemExit(f"The database holds {existing:,} stories, not {args.articles:,}: "
                         "give an empty database, or another --var-dir.")

    last = [time.monotonic()]

    def progress(done: int) -> None:
        if time.monotonic() - last[0] > 2:
            last[0] = time.monotonic()
            print(f"  … {done:,} stories", flush=True)

    print(f"Building {args.articles:,} stories …", flush=True)
    built = generate.build(articles=args.articles, progress=progress)
    print(f"Built {built.articles:,} stories, {built.article_tags:,} story-tag and {built.article_authors:,} "
          f"story-author rows in {built.seconds:.1f} s: {built.rate:,.0f} stories/s "
          f"({built.cpu_seconds:.1f} s of CPU, making and writing rows; load average {os.getloadavg()[0]:.1f}); "
          f"search index and headline words in {built.index_seconds:.1f} s", flush=True)
    illustrated = generate.illustrate()
    print(f"Gave {illustrated:,} stories a lead picture.", flush=True)
    return {"articles": built.articles, "reused": False, "seconds": round(built.seconds, 2),
            "articles_per_second": round(built.rate),
            "cpu_seconds": round(built.cpu_seconds, 2), "load_average_after_build": os.getloadavg()[0],
            "tags": built.tags, "authors": built.authors,
            "article_tags": built.article_tags, "article_authors": built.article_authors, "illustrated": illustrated}


def targets(work_dir: Path) -> dict:
    """The pages to measure: one article, many articles, home, a big section's page 1 and page 1,000."""
    from django.db import connections
    from django.db.models import Count

    from masthead.news import listing
    from masthead.news.models import Article, Section

    rows = list(Article.objects.visible().values_list("id", "slug"))
    random.Random(2).shuffle(rows)
    paths = [f"/news/{pk}/{slug}/" for pk, slug in rows]
    # Disjoint sets: wrk's many-articles run never asks for a page the one-by-one timing asked for.
    split = max(1, len(paths) * 7 // 10)
    miss_file = work_dir / "article-paths.txt"
    miss_file.write_text("\n".join(paths[:split]) + "\n")

    section = Section.objects.annotate(stories=Count("articles")).order_by("-stories").first()
    in_section = Article.objects.visible().filter(section=section).newest_first()
    count = in_section.count()
    page = min(1000, max(1, count // PAGE_SIZE))
    deep = f"/section/{section.slug}/"
    if page > 1:
        # Page N continues from the last story of page N-1.
        before = in_section.only("id", "published_at")[(page - 1) * PAGE_SIZE - 1]
        deep += f"?before={listing.cursor(before)}"
    connections.close_all()
    return {
        "article": paths[len(paths) // 2],
        "article_paths_file": miss_file,
        "timing_paths": paths[split:],
        "home": "/",
        "section": f"/section/{section.slug}/",
        "section_stories": count,
        "section_deep": deep,
        "section_deep_page": page,
    }


# ---------------------------------------------------------------- servers

@contextlib.contextmanager
def serving(server: str, *, env: dict, workers: int, log_dir: Path):
    """Run ``masthead serve`` with ``server`` on a free loopback port; yield the port."""
    from tests.servers import free_port

    port = free_port()
    masthead = Path(sys.executable).with_name("masthead")
    argv = [str(masthead), "serve", "--server", server, "--host", load.HOST, "--port", str(port), "--workers", str(workers)]
    with running(argv, port=port, env=env, log_file=log_dir / f"{server}.log"):
        yield port


@contextlib.contextmanager
def running(argv: list[str], *, port: int, env: dict, log_file: Path):
    """Start a server in a process group of its own and wait until it answers on ``port``; yield the
    process. At the end the whole group is stopped: a worker must not outlive its master."""
    log = open(log_file, "w")
    process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_up(port, process, timeout=60)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        log.close()


def _wait_until_up(port: int, process, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start-up (exit {process.returncode}); see its log in bench/results/")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(load.HOST, port, timeout=2)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                conn.close()
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer on port {port} within {timeout:.0f} s")


def _uncached(path: str, count: int) -> list[str]:
    # A parameter the page cache keys on (``id``, read by /News/Feed) that these pages do not read:
    # each request is built and answered, and none is stored.
    joiner = "&" if "?" in path else "?"
    return [f"{path}{joiner}id={n}" for n in range(count)]


def measure(port: int, found: dict, args) -> dict:
    """Throughput under load and one-by-one server time for each page, on one running server."""
    timing = {}
    print("  server time, one request at a time …", flush=True)
    timing["article (uncached)"] = load.server_time(port, found["timing_paths"][: args.samples], time_limit=120)
    timing["article (cached)"] = load.server_time(port, [found["article"]] * 500, time_limit=60)
    for name, path in (("home", found["home"]), ("section page 1", found["section"]),
                       (f"section page {found['section_deep_page']:,}", found["section_deep"])):
        timing[f"{name} (uncached)"] = load.server_time(port, _uncached(path, 300), time_limit=60)

    throughput = {}
    print("  load: article (cached, gzip) …", flush=True)
    gzip = {"Accept-Encoding": "gzip"}
    load.load(port, path=found["article"], duration=1, connections=args.connections, threads=args.threads, headers=gzip)
    throughput["article (cached, gzip)"] = load.load(port, path=found["article"], duration=args.duration,
                                                     connections=args.connections, threads=args.threads, headers=gzip)
    for name, path in (("article (cached)", found["article"]), ("home", found["home"]),
                       ("section page 1", found["section"]),
                       (f"section page {found['section_deep_page']:,}", found["section_deep"])):
        print(f"  load: {name} …", flush=True)
        # Warm up first: each worker keeps its own page cache (local memory) and must build the page once.
        load.load(port, path=path, duration=1, connections=args.connections, threads=args.threads)
        throughput[name] = load.load(port, path=path, duration=args.duration, connections=args.connections,
                                     threads=args.threads)
    print("  load: article (uncached, a different story each request) …", flush=True)
    throughput["article (uncached)"] = load.load(
        port, path="/", paths_file=found["article_paths_file"], duration=args.duration,
        connections=args.connections, threads=args.threads)
    return {"throughput": {k: v.as_dict() for k, v in throughput.items()},
            "server_time": {k: v.as_dict() for k, v in timing.items()}}


def in_process(found: dict, args, *, profile_to: Path) -> dict:
    """CPU per uncached request inside this process: steadier than wall time on a shared machine."""
    from django.db import connections

    timing = found["timing_paths"]
    measured = {"article (uncached)": inprocess.cost(timing[: min(len(timing) // 2, 1_000)])}
    for name, path in (("home (uncached)", found["home"]), ("section page 1 (uncached)", found["section"]),
                       (f"section page {found['section_deep_page']:,} (uncached)", found["section_deep"])):
        measured[name] = inprocess.cost(_uncached(path, 230))
    if args.profile:
        for name, paths in (("article", timing[len(timing) // 2:][:330]), ("home", _uncached(found["home"], 330)),
                            ("section", _uncached(found["section"], 330))):
            to = profile_to.with_name(f"{profile_to.stem}-{name}.txt")
            inprocess.cost(paths, profile_to=to)
            print(f"  profile written to {to.relative_to(BENCH_DIR.parent)}", flush=True)
    connections.close_all()
    return measured


# ---------------------------------------------------------------- report

def report(results: dict) -> str:
    lines = ["\nIn-process, one request at a time, no server (CPU is steadier than wall time on a busy machine)",
             f"  {'page':34} {'requests':>9} {'CPU ms':>8} {'wall ms':>8} {'app p50':>8} {'queries':>8}"]
    for page, row in results["in_process"].items():
        lines.append(f"  {page:34} {row['requests']:>9} {row['cpu_ms_per_request']:>8.2f} "
                     f"{row['wall_ms_per_request']:>8.2f} {row['server_p50_ms']:>8.2f} {row['queries_per_request']:>8.2f}")
    for server, measured in results["servers"].items():
        lines.append(f"\n{server} ({results['settings']['workers']} workers, "
                     f"{results['settings']['connections']} connections, {results['settings']['duration']:.0f} s each)")
        lines.append(f"  {'page':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for page, row in measured["throughput"].items():
            lines.append(f"  {page:34} {row['requests_per_second']:>9,.0f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f}"
                         f" {row['errors']:>7}")
        lines.append(f"  {'server time, one at a time':34} {'samples':>9} {'app p50':>8} {'app p99':>8}"
                     f" {'client p50':>11} {'client p99':>11}")
        for page, row in measured["server_time"].items():
            lines.append(f"  {page:34} {row['samples']:>9} {row['server_p50_ms']:>8.2f} {row['server_p99_ms']:>8.2f}"
                         f" {row['client_p50_ms']:>11.2f} {row['client_p99_ms']:>11.2f}")
    lines.append("")
    for server, measured in results["servers"].items():
        p50 = measured["server_time"]["article (uncached)"]["server_p50_ms"]
        rps = measured["throughput"]["article (cached)"]["requests_per_second"]
        lines.append(f"{server}: uncached article server time p50 {p50:.2f} ms (target ≤ {TARGET_SERVER_MS:g} ms: "
                     f"{'met' if p50 <= TARGET_SERVER_MS else 'MISSED'}; the paper's site: {PAPER_SECONDS * 1000:.1f} ms, "
                     f"{PAPER_SECONDS * 1000 / p50:,.0f}× slower); cached article {rps:,.0f} req/s (target ≥ "
                     f"{TARGET_CACHED_RPS:,}: {'met' if rps >= TARGET_CACHED_RPS else 'MISSED'})")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    RESULTS_DIR.mkdir(exist_ok=True)
    started = datetime.now(timezone.utc)
    var_dir = (args.var_dir or RESULTS_DIR / f"var-{args.articles}").resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        database_url = args.database_url
        if args.postgres:
            from tests.servers import postgres

            print("Starting a throwaway PostgreSQL server …", flush=True)
            database_url = stack.enter_context(postgres())
        env = {"MASTHEAD_VAR_DIR": str(var_dir), "MASTHEAD_DEBUG": "0"}
        if database_url:
            env["MASTHEAD_DATABASE_URL"] = database_url
        server_env = {**os.environ, **env}
        server_env.pop("MASTHEAD_CACHE_URL", None)  # the default: each worker's own memory, purges through a file
        if args.redis:
            from tests.servers import redis

            server_env["MASTHEAD_CACHE_URL"] = stack.enter_context(redis())
        try:
            results = {
                "date": started.isoformat(timespec="seconds"),
                "command": "make bench" + (f' ARGS="{" ".join(argv)}"' if argv else ""),
                "machine": machine(),
                "database": "postgresql" if database_url else "sqlite",
                "settings": {"workers": args.workers, "connections": args.connections, "threads": args.threads,
                             "duration": args.duration,
                             "page_cache": "Redis, and each worker's memory" if args.redis else "each worker's memory",
                             "load_generator": "wrk" if shutil.which("wrk") else "python"},
            }
            results["archive"] = build_archive(args, env)
            if args.build_only:
                return 0
            found = targets(var_dir)
            results["pages"] = {k: v for k, v in found.items() if k not in {"article_paths_file", "timing_paths"}}
            print("In-process cost of uncached pages (no server) …", flush=True)
            results["in_process"] = in_process(found, args, profile_to=RESULTS_DIR / f"profile-{started:%Y-%m-%d-%H%M%S}.txt")
            results["servers"] = {}
            for server in args.server_list:
                print(f"Serving with {server} …", flush=True)
                with serving(server, env=server_env, workers=args.workers, log_dir=RESULTS_DIR) as port:
                    results["servers"][server] = measure(port, found, args)
            results["machine"]["load_average_after"] = os.getloadavg()
            text = report(results)
            print(text)
            out = RESULTS_DIR / f"{started:%Y-%m-%d-%H%M%S}.json"
            out.write_text(json.dumps(results, indent=2, default=str) + "\n")
            print(f"\nWritten to {out.relative_to(BENCH_DIR.parent)}")
        finally:
            from django.db import connections

            connections.close_all()
            if not args.keep and args.var_dir is None:
                shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
