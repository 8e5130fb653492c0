"""The pages whose cost could grow with the archive, timed on kept archives side by side.

    .venv/bin/python -m bench.archive_pages \
        --archive postgres://…/hundred bench/results/var-100000 --archive postgres://…/million bench/results/var-1000000

Each ``--archive`` names an archive that ``python -m bench.run --articles N --keep --build-only
--database-url URL --var-dir DIR`` built (the same generator, so the archives differ only in
size): its database and its folder (media, static files). Each is
measured in a process of its own (Django reads its settings once), one request at a time, every
answer built afresh (the page cache is emptied before each request): section page 1 and page
1,000, the archive by day, month and year, the sitemap index and a sitemap page, the API's list
and its ``since`` sync (a day back, a year back, and from the first story), the newsroom's story
list (as ``bench/newsroom.py`` asks for it, signed in as an editor), the search page, and
``search.search()`` for one word and for two words (both orders; the target is p95 ≤ 50 ms).
The table gives each page's p50 and p95 wall time and its CPU time at p50 per archive, and the
ratio of the last archive's p50 to the first's: "as fast at 1,000,000 as at 100,000" is a ratio
near 1.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEARCH_TARGET_MS = 50
SEED = 1_000_000
PAGE_SIZE = 20
DEEP_PAGE = 1_000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(wall: list[float], cpu: list[float], **extra) -> dict:
    return {"n": len(wall), "p50_ms": round(statistics.median(wall), 2), "p95_ms": round(percentile(wall, 0.95), 2),
            "cpu_p50_ms": round(statistics.median(cpu), 2), "cpu_p95_ms": round(percentile(cpu, 0.95), 2), **extra}


def reader_pages() -> list[tuple[str, str]]:
    """(label, path) of the reader's and syndication's pages; dates a day, a month and a year back exist in every archive of 100 stories a week or more."""
    from django.db.models import Count
    from django.utils import timezone

    from masthead.news import listing
    from masthead.news.models import Article, Section
    from masthead.syndication import sitemaps

    section = Section.objects.annotate(stories=Count("articles")).order_by("-stories").first()
    in_section = Article.objects.visible().filter(section=section).newest_first().only("id", "published_at")
    # Page 1,000 (from 80,000 stories on; the deepest page a smaller archive has) continues from
    # the last story of the page before.
    page = max(2, min(DEEP_PAGE, in_section.count() // PAGE_SIZE))
    deep = in_section[(page - 1) * PAGE_SIZE - 1]
    now = timezone.now()
    day, month = now - timedelta(days=2), now - timedelta(days=40)
    year = now.year - 1
    pages = sitemaps.article_pages()
    first = Article.objects.visible().order_by("published_at").values_list("published_at", flat=True).first()
    return [
        ("section page 1", f"/section/{section.slug}/"),
        (f"section page {page:,}", f"/section/{section.slug}/?before={listing.cursor(deep)}"),
        ("archive: a day", f"/archive/{day.year}/{day.month}/{day.day}/"),
        ("archive: a month", f"/archive/{month.year}/{month.month}/"),
        ("archive: a year", f"/archive/{year}/"),
        ("sitemap index", "/sitemap.xml"),
        # The newest page is a stub (News IDs from 1,000,000 on): the one before holds 50,000.
        ("sitemap: a full page", f"/sitemaps/articles-{pages[-2 if len(pages) > 1 else -1][0]}.xml"),
        ("API: newest 100", "/api/v1/articles?limit=100"),
        ("API: since a day back", "/api/v1/articles?limit=100&since=" + _quoted(now - timedelta(days=1))),
        ("API: since a year back", "/api/v1/articles?limit=100&since=" + _quoted(now - timedelta(days=365))),
        ("API: since the first story", "/api/v1/articles?limit=100&since=" + _quoted(first)),
        ("search page: one word", "/search/?q=railway"),
    ]


def _quoted(moment) -> str:
    from urllib.parse import quote

    return quote(moment.isoformat())


def newsroom_pages() -> list[tuple[str, str]]:
    """The newsroom list pages of bench/newsroom.py, on this archive's sections, authors and News IDs."""
    from bench import newsroom
    from masthead.news.models import Article, Author, Section

    newest = Article.objects.order_by("-id").values_list("id", flat=True).first()
    ids = {"section": Section.objects.order_by("pk")[3].pk, "author": Author.objects.order_by("pk")[7].pk,
           "news_id": newest - 1234}
    return [(f"newsroom: {label}", url) for label, url in newsroom.pages(ids)]


def editor():
    """The bench's editor account, made once in the archive."""
    from django.contrib.auth.models import Group, User

    from masthead.stories import rules

    rules.ensure_roles()
    user, made = User.objects.get_or_create(username="bench-editor", defaults={"is_staff": True})
    if made:
        user.groups.add(Group.objects.get(name="editor"))
    return user


def time_pages(pages: list[tuple[str, str]], *, client, requests: int) -> dict:
    from django.core.cache import cache

    from masthead.delivery import pagecache

    def uncached() -> None:
        pagecache.clear()  # every page cache level: each answer is built afresh
        cache.clear()

    measured = {}
    for label, path in pages:
        for _ in range(3):  # warm the database's and Python's caches, as a serving site is warm
            uncached()
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} ({label}) answered {response.status_code}, not 200")
        wall, cpu = [], []
        for _ in range(requests):
            uncached()
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        measured[label] = summary(wall, cpu, path=path)
        print(f"  {label:40} p50 {measured[label]['p50_ms']:8.2f} ms", file=sys.stderr, flush=True)
    return measured


def search_queries(*, count: int) -> dict[str, list[str]]:
    """One word and two words drawn from the generator's headline vocabulary (subjects and words)."""
    from bench import generate

    rng = random.Random(SEED)
    subjects = [s.split()[0].lower() for s in generate.SUBJECTS]
    one = [rng.choice(generate.WORDS + subjects) for _ in range(count)]
    two = [f"{rng.choice(subjects)} {rng.choice(generate.WORDS)}" for _ in range(count)]
    return {"one word": one, "two words": two}


def time_search(*, count: int, server_pid: int | None) -> dict:
    from masthead import search

    def server_cpu() -> int:
        if server_pid is None:
            return 0
        with open(f"/proc/{server_pid}/schedstat") as stat:
            return int(stat.read().split()[0])

    measured = {}
    for label, texts in search_queries(count=count).items():
        for order in search.ORDERS:
            for text in texts[:20]:
                search.search(text, order=order)
            wall, cpu, hits = [], [], 0
            for text in texts:
                started, started_cpu, started_server = time.perf_counter(), time.process_time(), server_cpu()
                found = search.search(text, order=order)
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000 + (server_cpu() - started_server) / 1e6)
                hits += found.total
            key = f"search(): {label}, {order}"
            measured[key] = summary(wall, cpu, mean_results=round(hits / len(texts)))
            print(f"  {key:40} p95 {measured[key]['p95_ms']:8.2f} ms", file=sys.stderr, flush=True)
    return measured


def worker(args) -> None:
    """Measure the archive named by this process's environment; print its figures as JSON."""
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from masthead.news.models import Article

    setup_test_environment()  # lets the test Client keep the session's cookie and the answers
    call_command("collectstatic", interactive=False, verbosity=0)  # the pages name hashed static files
    articles = Article.objects.count()
    server_pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            server_pid = cursor.fetchone()[0]
    reader, newsroom = Client(), Client()
    newsroom.force_login(editor())
    load_before = os.getloadavg()[0]
    pages = time_pages(reader_pages(), client=reader, requests=args.requests)
    pages.update(time_pages(newsroom_pages(), client=newsroom, requests=args.requests))
    pages.update(time_search(count=args.queries, server_pid=server_pid))
    print("RESULT " + json.dumps({"articles": articles, "database": connection.vendor, "pages": pages,
                                  "load_average": [load_before, os.getloadavg()[0]]}), flush=True)


def measure(url: str, var_dir: str, args) -> dict:
    env = {**os.environ, "MASTHEAD_DATABASE_URL": url, "MASTHEAD_DEBUG": "0",
           "MASTHEAD_VAR_DIR": str(Path(var_dir).resolve()), "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
    env.pop("MASTHEAD_CACHE_URL", None)
    argv = [sys.executable, "-m", "bench.archive_pages", "--worker", "--requests", str(args.requests),
            "--queries", str(args.queries)]
    out = subprocess.run(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])


def table(results: list[dict]) -> str:
    heads = " | ".join(f"{r['articles']:,}: p50 / p95 (CPU p50)" for r in results)
    lines = [f"| page | {heads} | p50 ratio |", "|---|" + "---:|" * (len(results) + 1)]
    for label in results[0]["pages"]:
        cells = [f"{r['pages'][label]['p50_ms']:.1f} / {r['pages'][label]['p95_ms']:.1f} "
                 f"({r['pages'][label]['cpu_p50_ms']:.1f})" for r in results]
        ratio = results[-1]["pages"][label]["p50_ms"] / results[0]["pages"][label]["p50_ms"]
        lines.append(f"| {label} | {' | '.join(cells)} | {ratio:.2f} |")
    loads = ", ".join(f"{r['articles']:,}: {r['load_average'][0]:.1f} → {r['load_average'][1]:.1f}" for r in results)
    lines.append(f"\nload average while measuring: {loads}")
    for r in results:
        missed = [label for label, row in r["pages"].items()
                  if label.startswith("search()") and row["p95_ms"] > SEARCH_TARGET_MS]
        lines.append(f"{r['articles']:,} stories, search p95 ≤ {SEARCH_TARGET_MS} ms: "
                     + ("met" if not missed else "MISSED by " + ", ".join(missed)))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.archive_pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", nargs=2, action="append", default=[], metavar=("DATABASE_URL", "VAR_DIR"),
                        help="a kept archive: its database and its folder (repeat; the first is the ratio's baseline)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--queries", type=int, default=200, help="search() queries per kind and order (default 200)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    if not args.archive:
        parser.error("give at least one --archive DATABASE_URL VAR_DIR built with python -m bench.run --keep")
    for _url, var_dir in args.archive:
        if not Path(var_dir).is_dir():
            parser.error(f"--archive: {var_dir} is not a folder (the archive's --var-dir)")
    results = []
    for url, var_dir in args.archive:
        print(f"Measuring {url.rsplit('/', 1)[-1]} …", file=sys.stderr, flush=True)
        results.append(measure(url, var_dir, args))
    print(table(results))
    out = ROOT / "bench" / "results" / f"archive-pages-{time.strftime('%Y-%m-%d-%H%M%S', time.gmtime())}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWritten to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
