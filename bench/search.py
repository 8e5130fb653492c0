"""Search latency at 300,000 articles, on SQLite (FTS5) and on PostgreSQL (tsvector + GIN).

    .venv/bin/python bench/search.py                        # both databases, 300,000 articles
    .venv/bin/python bench/search.py --articles 20000 --database sqlite
    .venv/bin/python bench/search.py --articles 1000000 --database postgresql --database-url postgres://…/search

Each database gets a fresh store (SQLite in a temp dir; PostgreSQL a throwaway server, as the
tests start one) and its own process, since Django reads its settings once per process. Stories
are written by bulk insert (with tags and authors), indexed with ``search.rebuild()``, then
queried through ``search.search()``: the whole cost of a results page but the template
(ranking, count, the stories' rows, snippets). Each query's wall-clock time is taken, and its
CPU time (this process's, plus the PostgreSQL server process's from /proc/<pid>/schedstat): on
a shared machine the wall clock includes waiting for a core, the CPU time is what a query costs. Query words are taken from the stories'
headlines, as readers take them from the news, leaving out the 200 commonest words of the
made-up language (its "the", "of", "said": nobody searches for those); a last row measures
exactly those commonest words, the worst case. Target: p95 ≤ 50 ms for one- and two-word queries.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 302104
BATCH = 2000


def vocabulary(rng: random.Random, size: int = 30000) -> tuple[list[str], list[float]]:
    """Made-up words with a Zipf frequency curve, as words of a language have."""
    syllables = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"] + ["an", "el", "in", "or", "us", "ar", "en"]
    words, seen = [], set()
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.choice((1, 2, 2, 3, 3, 4))))
        if word not in seen:
            seen.add(word)
            words.append(word)
    cumulative, total = [], 0.0
    for rank in range(1, size + 1):
        total += 1 / rank ** 1.07
        cumulative.append(total)
    return words, cumulative


COMMON = 200  # the made-up language's function words
# Queries are drawn from this many headlines, a uniform sample of the archive's: memory stays
# bounded at any archive size. The sample has its own random stream, so the stories built for a
# seed are the same whatever the sample keeps.
SAMPLE = 20_000


class Sample:
    """A uniform sample of at most SAMPLE items of a stream (reservoir sampling)."""

    def __init__(self):
        self.items: list = []
        self.seen = 0
        self.rng = random.Random(SEED + 1)

    def add(self, item) -> None:
        self.seen += 1
        if len(self.items) < SAMPLE:
            self.items.append(item)
            return
        slot = self.rng.randrange(self.seen)
        if slot < SAMPLE:
            self.items[slot] = item


def build(count: int, rng: random.Random) -> tuple[list[list[str]], list[str]]:
    """Bulk-insert ``count`` stories with sections, tags and authors; return a sample of their headlines' words, and the commonest words."""
    from masthead.news.models import Article, Author, Section, Tag

    words, cumulative = vocabulary(rng)

    def text(n: int) -> list[str]:
        return rng.choices(words, cum_weights=cumulative, k=n)

    sections = Section.objects.bulk_create([Section(name=f"Section {n}", slug=f"section-{n}", position=n) for n in range(12)])
    tags = Tag.objects.bulk_create([Tag(name=" ".join(text(2)).title() + f" {n}", slug=f"tag-{n}") for n in range(600)])
    authors = Author.objects.bulk_create([Author(name=" ".join(text(2)).title(), slug=f"author-{n}") for n in range(120)])
    start = datetime(2015, 1, 1, tzinfo=timezone.utc)
    span = (datetime.now(timezone.utc) - start).total_seconds()
    headlines = Sample()
    for first in range(1, count + 1, BATCH):
        rows, tag_rows, author_rows = [], [], []
        for pk in range(first, min(first + BATCH, count + 1)):
            headline = text(rng.randint(6, 11))
            paragraphs = [" ".join(text(rng.randint(25, 60))).capitalize() + "." for _ in range(rng.randint(3, 7))]
            roll = rng.random()
            status = Article.Status.DRAFT if roll < 0.02 else Article.Status.PUBLISHED
            published = start + timedelta(seconds=rng.random() * span)
            if 0.02 <= roll < 0.03:  # scheduled
                published = datetime.now(timezone.utc) + timedelta(days=rng.randint(1, 30))
            rows.append(Article(
                id=pk, slug=f"story-{pk}", headline=" ".join(headline).capitalize(),
                kicker=" ".join(text(1)).title(), summary=" ".join(text(rng.randint(15, 30))).capitalize() + ".",
                body="\n\n".join(paragraphs), body_html="".join(f"<p>{p}</p>\n" for p in paragraphs),
                section_id=sections[pk % len(sections)].pk, status=status,
                published_at=published if status == Article.Status.PUBLISHED else None,
            ))
            headlines.add(headline)
            tag_rows += [Article.tags.through(article_id=pk, tag_id=t.pk) for t in rng.sample(tags, rng.randint(0, 4))]
            author_rows += [Article.authors.through(article_id=pk, author_id=a.pk) for a in rng.sample(authors, rng.randint(0, 2))]
        Article.objects.bulk_create(rows)
        Article.tags.through.objects.bulk_create(tag_rows)
        Article.authors.through.objects.bulk_create(author_rows)
    return headlines.items, words[:COMMON]


def queries(headlines: list[list[str]], common: list[str], rng: random.Random, n: int) -> dict[str, list[str]]:
    """Query sets drawn from headlines: one word, two words, a quoted phrase, a word beginning; and the commonest words."""
    skip = set(common)
    sets = {"one word": [], "two words": [], "phrase": [], "word beginning": [], "commonest word": []}
    while len(sets["one word"]) < n:
        words = rng.choice(headlines)
        topical = [i for i, word in enumerate(words) if word not in skip]
        if len(topical) < 2:
            continue
        i, j = rng.sample(topical, 2)
        sets["one word"].append(words[i])
        sets["two words"].append(f"{words[i]} {words[j]}")
        sets["phrase"].append(f'"{words[i]} {words[i + 1]}"' if i + 1 < len(words) else f'"{words[i - 1]} {words[i]}"')
        sets["word beginning"].append(words[i][: max(3, len(words[i]) - 2)] + "*")
        sets["commonest word"].append(rng.choice(common))
    return sets


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def worker(args) -> None:
    sys.path.insert(0, os.path.join(ROOT, "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from masthead import search

    from masthead.news.models import Article

    rng = random.Random(SEED)
    call_command("migrate", verbosity=0)
    if args.phrases_by_words:
        from masthead.search.backends import postgresql

        postgresql.UNPAIRED_AT_MOST = -1  # as if every entry still lacked its pairs
    if Article.objects.exists():  # --sqlite-dir, --database-url: measure a store built by an earlier run again
        sample = Sample()
        for headline in Article.objects.order_by("pk").values_list("headline", flat=True).iterator(chunk_size=BATCH):
            sample.add(headline.lower().split())
        headlines = sample.items
        common = vocabulary(random.Random(SEED))[0][:COMMON]
        built = index_seconds = float("nan")
        indexed = Article.objects.filter(status=Article.Status.PUBLISHED).count()
        args.articles = sample.seen
    else:
        began = time.perf_counter()
        headlines, common = build(args.articles, rng)
        built = time.perf_counter() - began
        began = time.perf_counter()
        indexed = search.rebuild()
        index_seconds = time.perf_counter() - began
    if connection.vendor == "sqlite":
        # A serving database has its write-ahead log folded back in; right after a bulk load it has not.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    report = {"database": connection.vendor, "articles": args.articles, "indexed": indexed,
              "phrases": ("by FTS5's positions" if connection.vendor != "postgresql" else
                          "by their words alone" if args.phrases_by_words else "by their pairs of words"),
              "insert_s": round(built, 1), "index_s": round(index_seconds, 1), "queries": {}}
    server_pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            server_pid = cursor.fetchone()[0]

    def server_cpu() -> int:
        """Nanoseconds the PostgreSQL server process serving us has run on a CPU (0 for SQLite, in-process)."""
        if server_pid is None:
            return 0
        with open(f"/proc/{server_pid}/schedstat") as stat:
            return int(stat.read().split()[0])

    for label, texts in queries(headlines, common, rng, args.queries).items():
        for order in ("relevance", "newest") if label in ("one word", "two words") else ("relevance",):
            for text in texts[:20]:  # warm the caches, as a serving database is warm
                search.search(text, order=order)
            timings, cpu, hits = [], [], 0
            for text in texts:
                began, began_cpu, began_server = time.perf_counter(), time.process_time(), server_cpu()
                found = search.search(text, order=order)
                timings.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000 + (server_cpu() - began_server) / 1e6)
                hits += found.total
            report["queries"][f"{label}, {order}"] = {
                "n": len(timings), "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(percentile(timings, 0.95), 1), "max_ms": round(max(timings), 1),
                "cpu_p50_ms": round(statistics.median(cpu), 1), "cpu_p95_ms": round(percentile(cpu, 0.95), 1),
                "mean_results": round(hits / len(timings)),
            }
    report["load_average"] = os.getloadavg()[0]
    print("RESULT " + json.dumps(report), flush=True)


def run(database: str, args) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([ROOT, os.path.join(ROOT, "src")])}
    env.pop("MASTHEAD_DATABASE_URL", None)
    env["MASTHEAD_VAR_DIR"] = (args.sqlite_dir if database == "sqlite" and args.sqlite_dir
                               else tempfile.mkdtemp(prefix=f"masthead-bench-search-{database}-"))
    argv = [sys.executable, os.path.abspath(__file__), "--worker", "--articles", str(args.articles), "--queries", str(args.queries),
            *(["--phrases-by-words"] if args.phrases_by_words else [])]

    def go() -> dict:
        out = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True, check=True).stdout
        return json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])

    if database == "sqlite":
        return go()
    if args.database_url:
        env["MASTHEAD_DATABASE_URL"] = args.database_url
        return go()
    sys.path.insert(0, ROOT)
    from tests import servers

    with servers.postgres() as url:
        env["MASTHEAD_DATABASE_URL"] = url
        return go()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300_000)
    parser.add_argument("--queries", type=int, default=300, help="queries per kind")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--sqlite-dir", help="build the SQLite store in this directory and keep it, or measure "
                        "the one an earlier run left there again")
    parser.add_argument("--database-url", help="build the PostgreSQL store in this database and keep it, or measure "
                        "the one an earlier run left there again (default: a throwaway server)")
    parser.add_argument("--phrases-by-words", action="store_true", help="PostgreSQL: find phrases by their words "
                        "alone, not by their pairs of words (as before migration search/0007), to compare")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    for database in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
        report = run(database, args)
        print(f"\n{report['database']}: {report['articles']:,} articles ({report['indexed']:,} published), "
              f"bulk insert {report['insert_s']} s, index {report['index_s']} s, "
              f"load average {report['load_average']:.1f} on {os.cpu_count()} cores; phrases found {report['phrases']}")
        print(f"  {'query':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'CPU p50':>8} {'CPU p95':>8} {'results':>8}")
        for label, row in report["queries"].items():
            print(f"  {label:32} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['max_ms']:>8} "
                  f"{row['cpu_p50_ms']:>8} {row['cpu_p95_ms']:>8} {row['mean_results']:>8}")


if __name__ == "__main__":
    main()
