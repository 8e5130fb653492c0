"""``make test``: the whole suite on SQLite and again on a real PostgreSQL server, side by side.

Each database gets its own pytest process because Django reads its settings once per process.
The two run at once (much of each one's time is spent waiting on the servers it starts), each
writing to a file that is printed whole when it ends; MASTHEAD_TEST_SERIAL=1 runs them one after
the other. In CI (CI=true) a missing PostgreSQL, Redis or Chromium is a failure, never a skip.
"""

import os
import re
import subprocess
import sys
import tempfile
import threading
import time

from tests import servers

SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped)")


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


def main(argv: list[str]) -> int:
    in_ci = os.environ.get("CI", "").lower() == "true"
    base = {**os.environ, "MASTHEAD_VAR_DIR": tempfile.mkdtemp(prefix="masthead-test-"), "PYTHONDONTWRITEBYTECODE": "1"}
    base.pop("MASTHEAD_DATABASE_URL", None)
    if in_ci:
        base["MASTHEAD_REQUIRE_SERVICES"] = "1"
    serial = os.environ.get("MASTHEAD_TEST_SERIAL") == "1"
    sqlite = Run("SQLite", base, [*argv, "-m", "not postgresql_only"])
    totals = sqlite.finish() if serial else None
    if servers.postgres_bin() is None and not in_ci:
        print("\nPostgreSQL is not installed here: the PostgreSQL run is skipped (CI installs it and never skips).")
        totals = totals or sqlite.finish()
    else:
        with servers.postgres() as url:
            # Browser tests drive pages, not SQL: they run once, on SQLite, as do checks of SQLite's plans.
            env = {**base, "MASTHEAD_DATABASE_URL": url, "MASTHEAD_VAR_DIR": tempfile.mkdtemp(prefix="masthead-test-pg-")}
            postgresql = Run("PostgreSQL", env, [*argv, "-m", "not browser and not sqlite_only"])
            totals = totals or sqlite.finish()
            for kind, count in postgresql.finish().items():
                totals[kind] += count
    failed = totals["failed"] + totals["error"]
    if in_ci and totals["skipped"]:
        print(f"\nCI: {totals['skipped']} test(s) skipped; in CI every suite must run.")
        failed += totals["skipped"]
    print(f"\ntotal: {totals['passed']} passed, {failed} failed")
    return 1 if failed or not totals["passed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
