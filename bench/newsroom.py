"""The newsroom's story list at newsroom scale: p95 per list page with 300,000 stories.

    .venv/bin/python bench/newsroom.py                 # SQLite and PostgreSQL, 300,000 stories
    .venv/bin/python bench/newsroom.py --db sqlite --rows 50000 --requests 20
    nice -n -10 .venv/bin/python bench/newsroom.py   # on a shared machine: ahead of the other work

Each database runs in its own process (Django reads its settings once): a fresh SQLite file or a
throwaway PostgreSQL server (tests/servers.py), migrated, filled by bulk insert, analysed, then
every list page is fetched through Django's test Client signed in as an editor: warm-up requests
first, then ``--requests`` timed ones per page. Target: p95 <= 150 ms per page.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone as dt_timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 150
WORDS = ("Tehran Iran Minister Oil Parliament Rouhani Zarif Budget Football Earthquake Market Rial Export Gas "
         "Metro Caspian Tabriz Shiraz Isfahan Mashhad Drought Water Court Election University Film Festival "
         "Wrestling Trade China Europe Iraq Talks Sanctions Port Railway Steel Saffron Pistachio Carpet Museum").split()
LOWER = ("meets visits says plans opens rises falls signs rejects backs calls warns hosts wins loses "
         "the a new second major local annual talks deal report fund plan line road team over for in on").split()


def build(rows: int) -> dict:
    """Fill the database with ``rows`` stories by bulk insert; return the ids the pages will ask for."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.utils.text import slugify

    from masthead.news.models import Article, Author, HeadlineWord, Section
    from masthead.stories import rules

    rng = random.Random(302104)
    sections = Section.objects.bulk_create(Section(name=f"Section {n}", slug=f"section-{n}", position=n) for n in range(12))
    authors = Author.objects.bulk_create(Author(name=f"Reporter {n}", slug=f"reporter-{n}") for n in range(300))
    rules.ensure_roles()
    editor = User.objects.create_user("bench-editor", password="bench", is_staff=True)
    editor.groups.add(roles_group("editor"))
    now = datetime.now(dt_timezone.utc)
    start = now - timedelta(days=3650)
    span = (now - start).total_seconds()
    through = Article.authors.through
    batch, made = 5000, 0
    states = ["published"] * 90 + ["draft"] * 5 + ["review"] * 3 + ["unpublished"] + ["scheduled"]
    bodies = [" ".join(rng.choice(WORDS + LOWER) for _ in range(150)) for _ in range(64)]
    while made < rows:
        chunk = []
        for i in range(made, min(rows, made + batch)):
            headline = f"{rng.choice(WORDS)} {rng.choice(LOWER)} {rng.choice(WORDS)} {rng.choice(LOWER)} {rng.choice(WORDS)}"
            state = rng.choice(states)
            when = start + timedelta(seconds=span * i / rows)
            status = "published" if state == "scheduled" else state
            if state == "scheduled":
                when = now + timedelta(hours=rng.randint(1, 72))
            body = bodies[i % len(bodies)]
            chunk.append(Article(slug=slugify(headline)[:120], headline=headline, summary=headline + ".", body=body,
                                 body_html=f"<p>{body}</p>", section=rng.choice(sections), status=status,
                                 published_at=when if status != "draft" else None, created_at=when, updated_at=when,
                                 created_by=editor))
        with transaction.atomic():
            created = Article.objects.bulk_create(chunk)
            through.objects.bulk_create(through(article_id=a.pk, author_id=rng.choice(authors).pk) for a in created)
            HeadlineWord.objects.bulk_create(HeadlineWord(article_id=a.pk, word=w) for a in created
                                             for w in HeadlineWord.words(a.headline))
        made += len(chunk)
        print(f"  {made:,} stories", file=sys.stderr, end="\r")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    last = Article.objects.order_by("-id").values_list("id", flat=True).first()
    return {"section": sections[3].pk, "author": authors[7].pk, "news_id": last - 1234}


def roles_group(name):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=name)


def pages(ids: dict) -> list[tuple[str, str]]:
    from urllib.parse import quote

    # As the admin's own "Past 7 days" link writes them: midnight UTC, with its offset.
    today = datetime.now(dt_timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    week_ago, tomorrow = (quote(str(today + timedelta(days=n))) for n in (-7, 1))
    base = "/newsroom/news/article/"
    return [
        ("list, page 1", base),
        ("list, page 50", base + "?p=49"),
        ("state: in review", base + "?state=review"),
        ("state: scheduled", base + "?state=scheduled"),
        ("state: published", base + "?state=published"),
        ("section", base + f"?section__id__exact={ids['section']}"),
        ("author", base + f"?authors__id__exact={ids['author']}"),
        ("date: past 7 days", base + f"?published_at__gte={week_ago}&published_at__lt={tomorrow}"),
        ("search: one headline word", base + "?q=tehran"),
        ("search: two word beginnings", base + "?q=tehr+oil"),
        ("search: News ID", base + f"?q={ids['news_id']}"),
        ("section + state + search", base + f"?section__id__exact={ids['section']}&state=published&q=oil"),
        ("today's desk", "/newsroom/"),
    ]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def measure(ids: dict, requests: int) -> list[dict]:
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username="bench-editor"))
    results = []
    for label, url in pages(ids):
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        timings, cpu = [], []
        for _ in range(requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        results.append({"page": label, "url": url, "p50": statistics.median(timings), "p95": _p95(timings),
                        "cpu_p95": _p95(cpu)})
    return results


def one(database: str, rows: int, requests: int) -> None:
    """Run in a child process whose environment already names the database."""
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the admin pages name hashed static files
    started = time.perf_counter()
    ids = build(rows)
    built = time.perf_counter() - started
    measured = measure(ids, requests)
    print(json.dumps({"database": database, "rows": rows, "build_seconds": built, "pages": measured,
                      "load": os.getloadavg()[0]}))


def run(database: str, rows: int, requests: int) -> dict:
    var_dir = tempfile.mkdtemp(prefix="masthead-bench-newsroom-")
    try:
        return _run(database, rows, requests, var_dir)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)  # a 300,000-story SQLite file is half a gigabyte


def _run(database: str, rows: int, requests: int, var_dir: str) -> dict:
    env = {**os.environ, "MASTHEAD_VAR_DIR": var_dir}
    env.pop("MASTHEAD_DATABASE_URL", None)
    argv = [sys.executable, __file__, "--one", database, "--rows", str(rows), "--requests", str(requests)]
    if database == "postgres":
        sys.path.insert(0, str(ROOT))
        from tests import servers

        with servers.postgres() as url:
            out = subprocess.run(argv, env={**env, "MASTHEAD_DATABASE_URL": url}, stdout=subprocess.PIPE, text=True, check=True)
    else:
        out = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(result: dict) -> bool:
    print(f"\n{result['database']}: {result['rows']:,} stories (built in {result['build_seconds']:.0f} s; "
          f"load average {result['load']:.1f} on {os.cpu_count()} cores while measuring)\n")
    # The CPU column is this process's own time (Django, and SQLite, which runs in-process): what
    # the page costs when the machine's other work is not competing for its two cores.
    print("| page | p50 ms | p95 ms | p95 CPU ms (this process) |")
    print("|---|---:|---:|---:|")
    ok = True
    for page in result["pages"]:
        ok &= page["p95"] <= TARGET_MS
        print(f"| {page['page']} | {page['p50']:.1f} | {page['p95']:.1f} | {page.get('cpu_p95', 0):.1f} |")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one, args.rows, args.requests)
        return 0
    ok = True
    for database in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        ok &= report(run(database, args.rows, args.requests))
    print(f"\ntarget p95 <= {TARGET_MS} ms per page: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
