"""Import speed: IPTC ninjs JSON lines into a fresh SQLite database through ``masthead import``.

    .venv/bin/python -m bench.ingest [--items 300000]

Writes a synthetic wire file (each story ~2.5 kB of HTML, a section, three tags from a pool,
an author), migrates an empty database in a temp folder, and times the import command as a
subprocess, as an operator would run it. Then imports the same file again (all unchanged).
"""

import argparse
import contextlib
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

SECTIONS = ["Politics", "Economy", "Sport", "Culture", "World", "Science"]
TAGS = [f"Topic {n}" for n in range(400)]
AUTHORS = [f"Reporter {n}" for n in range(60)]
WORDS = ("minister said talks would continue next week while officials in Tehran and Baghdad "
         "discussed trade oil prices security and the region's economy with reporters").split()


def story(n: int, rng: random.Random, start: datetime) -> dict:
    paragraphs = []
    for _ in range(8):
        text = " ".join(rng.choice(WORDS) for _ in range(45))
        paragraphs.append(f"<p>{text.capitalize()}, <a href=\"https://example.org/{n}\">sources</a> said.</p>")
    return {
        "uri": f"urn:newsml:wire.example:{n}",
        "type": "text",
        "headline": f"Story {n}: " + " ".join(rng.choice(WORDS) for _ in range(8)),
        "description_text": " ".join(rng.choice(WORDS) for _ in range(25)),
        "body_html": "\n".join(paragraphs),
        "byline": rng.choice(AUTHORS),
        "versioncreated": (start + timedelta(minutes=7 * n)).isoformat().replace("+00:00", "Z"),
        "pubstatus": "usable",
        "language": "en",
        "subject": [{"name": rng.choice(SECTIONS), "scheme": "masthead:section"}]
        + [{"name": tag} for tag in rng.sample(TAGS, 3)],
    }


def write_file(path: Path, count: int) -> None:
    rng = random.Random(302104)
    start = datetime(2015, 1, 1, tzinfo=timezone.utc)
    with path.open("w", encoding="utf-8") as out:
        for n in range(1, count + 1):
            out.write(json.dumps(story(n, rng, start), ensure_ascii=False) + "\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=300_000)
    args = parser.parse_args(argv)
    root = Path(sys.prefix).parent
    masthead = str(Path(sys.executable).with_name("masthead"))
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="masthead-bench-ingest-") as folder:
        var = Path(folder) / "var"
        env = {**os.environ, "MASTHEAD_VAR_DIR": str(var)}
        env.pop("MASTHEAD_DATABASE_URL", None)
        wire = Path(folder) / "wire.jsonl"
        write_file(wire, args.items)
        size = wire.stat().st_size
        subprocess.run([masthead, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=root)
        results, findable = [], None
        for label in ("first import (all created)", "second import (all unchanged)"):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run([masthead, "import", "--no-progress", str(wire)], env=env, cwd=root,
                                  stdout=subprocess.PIPE, text=True)
            elapsed = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if done.returncode != 0:
                print(done.stdout)
                return 1
            results.append((label, elapsed, cpu, done.stdout.strip()))
            if not findable:
                findable = _findable(var / "masthead.sqlite3")
        print(f"ninjs JSON lines, {args.items:,} items, {size / 1e6:,.0f} MB, SQLite (WAL) "
              f"(load average before: {load:.1f} on {os.cpu_count()} cores):")
        for label, elapsed, cpu, output in results:
            # On a shared machine the wall clock counts other processes' time too; CPU seconds
            # of the import process are what a machine of its own would take.
            print(f"  {label}: {elapsed:,.1f} s wall = {args.items / elapsed:,.0f} items/s; "
                  f"{cpu:,.1f} CPU s = {args.items / cpu:,.0f} items per CPU second  ({output})")
        stories, searchable, by_headline = findable
        print(f"  after the first import: {stories:,} stories, {searchable:,} in the site's search, "
              f"{by_headline:,} in the newsroom's headline search")
        rate = args.items / results[0][1]
        met = rate >= 2000 and stories == searchable == by_headline == args.items
        print(f"target (a first import at >= 2,000 stories/s, every story found by both searches when it ends): "
              f"{'met' if met else 'not met'}")
    return 0


def _findable(database: Path) -> tuple[int, int, int]:
    """Stories, stories in the site's search index and stories in the newsroom's headline words, as the import left them."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        return tuple(db.execute(sql).fetchone()[0] for sql in (
            "SELECT count(*) FROM news_article",
            "SELECT count(*) FROM search_entry JOIN search_fts ON search_fts.rowid = search_entry.article_id",
            "SELECT count(DISTINCT article_id) FROM news_headlineword"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
