"""``make test``: the whole suite on SQLite and again on a real PostgreSQL server, side by side.

Each database gets pytest processes of its own because Django reads its settings once per process:
each database's suite in two halves (``HALVES``), four processes at once, each with its own var
folder and, for PostgreSQL, its own server, so the cores stay busy while a process waits on a
server it started (the suite is bound by CPU: ``-p tests.cputime`` says where it goes). Each
process writes to a file that is printed whole when it ends; MASTHEAD_TEST_SERIAL=1 runs them one
after the other. Tests named in the arguments (a path) run in one process per database. In CI
(CI=true) a missing PostgreSQL, Redis or Chromium is a failure, never a skip.
"""

import contextlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

from tests import servers

SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped)")
# The first half of each database's suite: these folders, about half its time (measured on 2 cores,
# 3 December 2026; the browser tests run on SQLite only). The second half is every other test file,
# so a new folder or file always runs; an outdated list only makes the halves uneven.
HALVES = {
    "SQLite": ("browser", "delivery", "audience", "accounts", "search", "ingest", "live"),
    "PostgreSQL": ("delivery", "syndication", "audience", "accounts", "search", "ingest", "epaper", "stories"),
}


class Run:
    """One pytest process, its output going to a file until ``finish`` prints it."""

    def __init__(self, label: str, env: dict, args: list[str]):
        self.label = label
        self.started = time.monotonic()
        self.output = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.process = subprocess.Popen([sys.executable, "-m", "pytest", *args], env=env, stdout=self.output,
                                        stderr=subprocess.STDOUT, text=True)
        # Its own wall time, taken when it ends, whichever run is waited for first.
        self.waiter = threading.Thread(target=self._wait, daemon=True)
        self.waiter.start()

    def _wait(self) -> None:
        self.process.wait()
        self.seconds = time.monotonic() - self.started

    def finish(self) -> dict[str, int]:
        self.waiter.join()
        returncode = self.process.returncode
        self.output.seek(0)
        text = self.output.read()
        self.output.close()
        print(f"\n=== {self.label} ({self.seconds:.0f} s) ===\n{text}", end="", flush=True)
        tail = text.strip().splitlines()[-1] if text.strip() else ""
        counts = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}
        for number, kind in SUMMARY.findall(tail):
            counts["error" if kind.startswith("error") else kind] += int(number)
        if returncode not in (0, 5) and not (counts["failed"] or counts["error"]):
            counts["error"] += 1  # pytest itself failed (collection, usage): count it
        return counts


def halves(label: str, argv: list[str]) -> list[tuple[str, list[str]]]:
    """The pytest arguments of each process for one database: two halves, or one process for named tests."""
    if any(not arg.startswith("-") and os.path.exists(arg.split("::")[0]) for arg in argv):
        return [(label, argv)]
    first = [f"tests/{folder}" for folder in HALVES[label]]
    return [(f"{label}, 1 of 2", [*argv, *first]),
            (f"{label}, 2 of 2", [*argv, "tests", *(f"--ignore={folder}" for folder in first)])]


def selecting(argv: list[str], own: str) -> list[str]:
    """``argv`` with one ``-m``: a run's own marker selection and the caller's together, if one was given
    (``make test ARGS="-m browser"``); pytest would otherwise take only the last ``-m`` on its line."""
    rest, chosen, args = [], None, iter(argv)
    for arg in args:
        if arg == "-m":
            chosen = next(args, "")
        elif arg.startswith("-m"):
            chosen = arg[2:].removeprefix("=")
        else:
            rest.append(arg)
    return [*rest, "-m", f"({chosen}) and ({own})" if chosen else own]


def main(argv: list[str]) -> int:
    in_ci = os.environ.get("CI", "").lower() == "true"
    base = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    base.pop("MASTHEAD_DATABASE_URL", None)
    if in_ci:
        base["MASTHEAD_REQUIRE_SERVICES"] = "1"
    serial = os.environ.get("MASTHEAD_TEST_SERIAL") == "1"
    totals: Counter[str] = Counter()
    running: list[Run] = []

    def start(label: str, env: dict, args: list[str]) -> None:
        running.append(Run(label, env, args))
        if serial:
            totals.update(running.pop().finish())

    with contextlib.ExitStack() as servers_running:
        for label, args in halves("SQLite", argv):
            start(label, {**base, "MASTHEAD_VAR_DIR": tempfile.mkdtemp(prefix="masthead-test-")},
                  selecting(args, "not postgresql_only"))
        if servers.postgres_bin() is None and not in_ci:
            print("\nPostgreSQL is not installed here: the PostgreSQL run is skipped (CI installs it and never skips).")
        else:
            # Browser tests drive pages, not SQL, and protocol tests check how servers speak HTTP: they run
            # once, on SQLite, as do checks of SQLite's plans.
            for label, args in halves("PostgreSQL", argv):
                url = servers_running.enter_context(servers.postgres())
                env = {**base, "MASTHEAD_DATABASE_URL": url, "MASTHEAD_VAR_DIR": tempfile.mkdtemp(prefix="masthead-test-pg-")}
                start(label, env, selecting(args, "not browser and not protocol and not sqlite_only"))
        for run in running:
            totals.update(run.finish())
    failed = totals["failed"] + totals["error"]
    if in_ci and totals["skipped"]:
        print(f"\nCI: {totals['skipped']} test(s) skipped; in CI every suite must run.")
        failed += totals["skipped"]
    print(f"\ntotal: {totals['passed']} passed, {failed} failed")
    return 1 if failed or not totals["passed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
