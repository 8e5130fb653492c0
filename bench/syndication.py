"""Sitemaps, feeds and the API at archive scale: ``python -m bench.syndication [--articles N] [--postgres]``.

Builds a throwaway archive of N stories (default 300,000) in SQLite, or with ``--postgres`` in
a throwaway PostgreSQL server, and times uncached answers (the page cache is cleared before
each request).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL and bench on it")
    args = parser.parse_args(argv)
    if args.postgres:
        import subprocess

        from tests import servers

        with servers.postgres() as url:
            env = {**os.environ, "MASTHEAD_DATABASE_URL": url,
                   "MASTHEAD_VAR_DIR": tempfile.mkdtemp(prefix="masthead-bench-synd-pg-")}
            return subprocess.call([sys.executable, "-m", "bench.syndication", "--articles", str(args.articles),
                                    "--runs", str(args.runs)], env=env)
    os.environ.setdefault("MASTHEAD_VAR_DIR", tempfile.mkdtemp(prefix="masthead-bench-synd-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
    import django

    django.setup()
    from datetime import timedelta

    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from masthead.news.models import Article, Section

    setup_test_environment()
    call_command("migrate", verbosity=0)
    if not Article.objects.exists():
        sections = [Section.objects.create(name=f"Section {n}", slug=f"section-{n}") for n in range(8)]
        now = timezone.now()
        started = time.perf_counter()
        batch = []
        for n in range(1, args.articles + 1):
            at = now - timedelta(minutes=args.articles - n)
            batch.append(Article(id=n, section=sections[n % 8], headline=f"Story {n} of the archive",
                                 slug=f"story-{n}-of-the-archive", summary="A summary.", body_html="<p>Body.</p>",
                                 status=Article.Status.PUBLISHED, published_at=at, created_at=at, updated_at=at))
            if len(batch) == 10_000:
                Article.objects.bulk_create(batch)
                batch = []
        Article.objects.bulk_create(batch)
        # A bulk load needs ANALYZE before the planner knows the table (on PostgreSQL, autovacuum
        # would run it soon; SQLite never runs it by itself).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"built {args.articles:,} stories in {time.perf_counter() - started:.1f} s")
    print(f"database: {connection.vendor}")
    client = Client()
    pages = (args.articles // 50_000)
    since = (timezone.now() - timedelta(minutes=60)).isoformat()
    for path in ["/sitemap.xml", "/sitemaps/articles-0.xml", f"/sitemaps/articles-{pages}.xml", "/sitemaps/news.xml",
                 "/feeds/rss/", "/feeds/section/section-3/atom/", "/api/v1/articles?limit=100",
                 f"/api/v1/articles?limit=100&since={since}"]:
        times = []
        for _ in range(args.runs):
            cache.clear()
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        print(f"{path:48} median {statistics.median(times):8.1f} ms  max {max(times):8.1f} ms  {len(response.content):>10,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
