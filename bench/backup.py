"""Backup and restore at archive scale: ``python -m bench.backup [--articles N] [--postgres]``.

Builds a throwaway archive of N stories (default 300,000) with ``bench/generate.py`` in SQLite, or
with ``--postgres`` in a throwaway PostgreSQL server (``--search-index`` also indexes it for
search, as a live site is: that takes longer than the rest together), then times
``masthead backup`` into a new folder and ``masthead restore`` of that backup into a new, empty
database of the same engine, each run as an operator runs it (its own process).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _masthead(*argv: str, env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "masthead.cli", *argv], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - started
    print(f"  {done.stdout.strip()}")
    if done.returncode:
        raise SystemExit(f"masthead {argv[0]} failed with exit status {done.returncode}")
    return seconds


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=300_000)
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL and bench on it")
    parser.add_argument("--search-index", action="store_true", help="build the search index before the backup")
    args = parser.parse_args(argv)
    if args.postgres:
        from tests import servers

        var = tempfile.mkdtemp(prefix="masthead-bench-backup-pg-")
        try:
            with servers.postgres() as url:
                env = {**os.environ, "MASTHEAD_DATABASE_URL": url, "MASTHEAD_VAR_DIR": var}
                rest = ["--search-index"] if args.search_index else []
                return subprocess.call([sys.executable, "-m", "bench.backup", "--articles", str(args.articles), *rest],
                                       env=env)
        finally:
            shutil.rmtree(var, ignore_errors=True)
    work = Path(os.environ.get("MASTHEAD_VAR_DIR") or tempfile.mkdtemp(prefix="masthead-bench-backup-"))
    os.environ["MASTHEAD_VAR_DIR"] = str(work)
    os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import build
    from tests import servers

    try:
        call_command("migrate", verbosity=0)
        built = build(articles=args.articles)
        print(f"database: {connection.vendor}; built {built.articles:,} stories in {built.seconds:.1f} s")
        if args.search_index:
            started = time.perf_counter()
            call_command("rebuild_search_index", verbosity=0)
            print(f"search index built in {time.perf_counter() - started:.1f} s")
        connection.close()
        site = {**os.environ}
        backup = work / "backups" / "nightly"
        backup_seconds = _masthead("backup", str(backup), env=site)
        size = sum(p.stat().st_size for p in backup.rglob("*") if p.is_file())
        fresh = Path(tempfile.mkdtemp(prefix="masthead-bench-restore-"))
        target = {**os.environ, "MASTHEAD_VAR_DIR": str(fresh)}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("CREATE DATABASE bench_restore")
            target["MASTHEAD_DATABASE_URL"] = servers.database_url({**connection.settings_dict, "NAME": "bench_restore"})
            connection.close()
        try:
            restore_seconds = _masthead("restore", str(backup), env=target)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
        print(f"{args.articles:,} stories on {connection.vendor}: backup {backup_seconds:.1f} s "
              f"({size / 1e6:,.0f} MB), restore into an empty database {restore_seconds:.1f} s")
    finally:
        if "MASTHEAD_DATABASE_URL" not in os.environ:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
