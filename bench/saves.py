"""Saves through the story service on a kept PostgreSQL archive, and searches between them.

    .venv/bin/python -m bench.saves --database-url postgres://postgres@127.0.0.1:PORT/search_million [--saves 1500]

Edits the headline of each of the newest ``--saves`` stories a reader can see, one after the other,
as an editor's saves would (revisions, headline words, related stories, the search index, purges),
with a search every fifth save; prints what the saves and searches took, and how many pages each
GIN index of the search index holds in its pending list afterwards (``pgstattuple``).
``--gin-pending on`` turns the pending lists back on first (PostgreSQL's default, as before
migration search/0006) to compare; ``off`` is the migration's setting. Either way the lists are
emptied before the saves. The headlines are left with the added word.
"""

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def summary(values: list[float]) -> str:
    values = sorted(values)
    at = lambda share: values[int(share * (len(values) - 1))]  # noqa: E731
    return (f"{len(values)}: p50 {statistics.median(values):.1f} ms, p90 {at(0.9):.1f}, p99 {at(0.99):.1f}, "
            f"slowest {values[-1]:.1f}; over 500 ms: {sum(value > 500 for value in values)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a kept PostgreSQL archive")
    parser.add_argument("--saves", type=int, default=1500)
    parser.add_argument("--gin-pending", choices=["on", "off", "as-is"], default="as-is")
    args = parser.parse_args()
    os.environ["MASTHEAD_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    sys.path.insert(0, os.path.join(ROOT, "src"))
    import django

    django.setup()
    from django.db import connection

    from masthead import search
    from masthead.news.models import Article
    from masthead.stories import changes, rules

    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                       "WHERE a.amname = 'gin' AND i.indrelid = 'search_document'::regclass ORDER BY 1")
        indexes = [name for (name,) in cursor.fetchall()]
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        for name in indexes:
            if args.gin_pending != "as-is":
                cursor.execute(f'ALTER INDEX "{name}" SET (fastupdate = {args.gin_pending})')
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
    editor = rules.System("bench")
    stories = list(Article.objects.visible().order_by("-pk").values_list("pk", "headline")[:args.saves])
    words = [headline.split()[0] for _, headline in stories]
    saves, searches = [], []
    began = time.monotonic()
    for n, (pk, headline) in enumerate(stories):
        started = time.perf_counter()
        changes.edit(pk, by=editor, values={"headline": f"{headline} saved{n}"})
        saves.append((time.perf_counter() - started) * 1000)
        if n % 5 == 0:
            started = time.perf_counter()
            search.search(words[n])
            searches.append((time.perf_counter() - started) * 1000)
    with connection.cursor() as cursor:
        pending = {}
        for name in indexes:
            cursor.execute("SELECT pending_pages FROM pgstatginindex(%s::regclass)", [name])
            pending[name] = cursor.fetchone()[0]
    print(f"{len(saves)} saves in {time.monotonic() - began:.0f} s, GIN pending lists {args.gin_pending} "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"saves {summary(saves)}")
    print(f"searches between them {summary(searches)}")
    print("pages in each pending list now: " + ", ".join(f"{name} {pages}" for name, pages in pending.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
