"""``make test``: the whole suite on SQLite, then again on a real PostgreSQL server.

Each database gets its own pytest process because Django reads its settings once per process.
In CI (CI=true) a missing PostgreSQL, Redis or Chromium is a failure, never a skip.
"""

import os
import re
import subprocess
import sys
import tempfile

from tests import servers

SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped)")


def pytest(label: str, env: dict, args: list[str]) -> dict[str, int]:
    print(f"\n=== {label} ===", flush=True)
    process = subprocess.run([sys.executable, "-m", "pytest", *args], env=env, stdout=subprocess.PIPE, text=True)
    print(process.stdout, end="", flush=True)
    tail = process.stdout.strip().splitlines()[-1] if process.stdout.strip() else ""
    counts = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}
    for number, kind in SUMMARY.findall(tail):
        counts["error" if kind.startswith("error") else kind] += int(number)
    if process.returncode not in (0, 5) and not (counts["failed"] or counts["error"]):
        counts["error"] += 1  # pytest itself failed (collection, usage): count it
    return counts


def main(argv: list[str]) -> int:
    in_ci = os.environ.get("CI", "").lower() == "true"
    base = {**os.environ, "MASTHEAD_VAR_DIR": tempfile.mkdtemp(prefix="masthead-test-"), "PYTHONDONTWRITEBYTECODE": "1"}
    base.pop("MASTHEAD_DATABASE_URL", None)
    if in_ci:
        base["MASTHEAD_REQUIRE_SERVICES"] = "1"
    totals = pytest("SQLite", base, [*argv, "-m", "not postgresql_only"])
    if servers.postgres_bin() is None and not in_ci:
        print("\nPostgreSQL is not installed here: the PostgreSQL run is skipped (CI installs it and never skips).")
    else:
        with servers.postgres() as url:
            # Browser tests drive pages, not SQL: they run once, on SQLite, as do checks of SQLite's plans.
            env = {**base, "MASTHEAD_DATABASE_URL": url, "MASTHEAD_VAR_DIR": tempfile.mkdtemp(prefix="masthead-test-pg-")}
            for kind, count in pytest("PostgreSQL", env, [*argv, "-m", "not browser and not sqlite_only"]).items():
                totals[kind] += count
    failed = totals["failed"] + totals["error"]
    if in_ci and totals["skipped"]:
        print(f"\nCI: {totals['skipped']} test(s) skipped; in CI every suite must run.")
        failed += totals["skipped"]
    print(f"\ntotal: {totals['passed']} passed, {failed} failed")
    return 1 if failed or not totals["passed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
