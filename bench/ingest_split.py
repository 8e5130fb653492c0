"""Where an import's time goes: the writer's CPU, the reading process's, and how long the writer waited for it.

    .venv/bin/python -m bench.ingest_split [--items 100000]

Writes the same synthetic wire file as ``bench.ingest``, migrates an empty SQLite database (WAL)
in a temporary folder and runs ``masthead import`` on it in this process, so that the writer's
CPU (this process) and the reading process's (its child) are counted apart. It prints both, the
wall-clock time the writer spent waiting for the reading process's next item (receiving and
unpickling included), the wall and CPU time of its commits, and the CPU time of each table's
inserts. The wall-clock figures move with
the machine's load; the CPU figures much less.
"""

import argparse
import collections
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.ingest import write_file


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="masthead-bench-ingest-") as folder:
        var = Path(folder) / "var"
        os.environ["MASTHEAD_VAR_DIR"] = str(var)
        os.environ.pop("MASTHEAD_DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
        wire = Path(folder) / "wire.jsonl"
        write_file(wire, args.items)
        masthead = str(Path(sys.executable).with_name("masthead"))
        subprocess.run([masthead, "migrate", "--noinput", "-v0"], check=True)

        import django

        django.setup()
        from django.core.management import call_command
        from django.db.backends.sqlite3 import base

        from masthead.ingest import prefetch

        inserts: collections.Counter = collections.Counter()
        executemany = base.SQLiteCursorWrapper.executemany

        def timed_executemany(cursor, query, params):
            started = time.process_time()
            try:
                return executemany(cursor, query, params)
            finally:
                inserts[" ".join(query.split()[:3])] += time.process_time() - started

        committing = [0.0, 0.0]  # wall, CPU: a commit's wall time beyond its CPU is spent waiting for the disk
        commit = base.DatabaseWrapper._commit

        def timed_commit(wrapper):
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return commit(wrapper)
            finally:
                committing[0] += time.perf_counter() - started
                committing[1] += time.process_time() - cpu

        waited = [0.0]
        items = prefetch.items

        def timed_items(*given, **options):
            received = items(*given, **options)
            while True:
                started = time.perf_counter()
                try:
                    item = next(received)
                except StopIteration:
                    return
                finally:
                    waited[0] += time.perf_counter() - started
                yield item

        base.SQLiteCursorWrapper.executemany = timed_executemany
        base.DatabaseWrapper._commit = timed_commit
        prefetch.items = timed_items
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_SELF)
        migrating = resource.getrusage(resource.RUSAGE_CHILDREN)  # the migrate command, not counted
        started = time.perf_counter()
        call_command("import", "--no-progress", str(wire))
        elapsed = time.perf_counter() - started
        writer = resource.getrusage(resource.RUSAGE_SELF)
        reader = resource.getrusage(resource.RUSAGE_CHILDREN)
        writer_cpu = writer.ru_utime + writer.ru_stime - before.ru_utime - before.ru_stime
        reader_cpu = reader.ru_utime + reader.ru_stime - migrating.ru_utime - migrating.ru_stime
        print(f"{args.items:,} items, first import, load average {load:.1f} before, {os.getloadavg()[0]:.1f} after:")
        print(f"  wall {elapsed:.1f} s = {args.items / elapsed:,.0f} items/s")
        print(f"  writer CPU {writer_cpu:.1f} s ({writer_cpu / args.items * 1e3:.3f} ms a story), "
              f"reading process CPU {reader_cpu:.1f} s ({reader_cpu / args.items * 1e3:.3f} ms a story)")
        print(f"  the writer waited {waited[0]:.1f} s for the reading process; its commits took "
              f"{committing[0]:.1f} s wall, {committing[1]:.1f} s CPU")
        for statement, seconds in inserts.most_common():
            print(f"  {seconds:6.2f} CPU s  {statement}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
