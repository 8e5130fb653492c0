"""Where the suite's CPU goes: ``make test ARGS="-p tests.cputime"`` writes, per pytest process, a
file ``var/cputime/<pid>.tsv``: each test's wall seconds, its own CPU seconds, and the CPU of the
processes it started and waited for (servers, commands, Chromium; a PostgreSQL server is not
counted), then prints the test files that cost the most CPU. The suite is bound by CPU on two
cores, so this, not ``--durations``, says what to cut.
"""

import os
import resource
import time
from collections import defaultdict
from pathlib import Path

import pytest

_rows: list[tuple[str, float, float, float]] = []


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    began, own, children = time.monotonic(), _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    yield
    _rows.append((item.nodeid, time.monotonic() - began, _cpu(resource.RUSAGE_SELF) - own,
                  _cpu(resource.RUSAGE_CHILDREN) - children))


def pytest_terminal_summary(terminalreporter):
    if not _rows:
        return
    folder = Path("var/cputime")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{os.getpid()}.tsv"
    with open(path, "w", encoding="utf-8") as out:
        out.write("test\twall_s\tcpu_s\tchildren_cpu_s\n")
        out.writelines(f"{test}\t{wall:.3f}\t{own:.3f}\t{children:.3f}\n" for test, wall, own, children in _rows)
    files = defaultdict(lambda: [0.0, 0.0, 0.0])
    for test, wall, own, children in _rows:
        totals = files[test.split("::")[0]]
        totals[0] += wall
        totals[1] += own
        totals[2] += children
    write = terminalreporter.write_line
    write(f"CPU by test file (this process; every test in {path}):")
    write(f"{'CPU s':>8} {'own':>8} {'started':>8} {'wall s':>8}  file")
    for name, (wall, own, children) in sorted(files.items(), key=lambda item: -(item[1][1] + item[1][2]))[:15]:
        write(f"{own + children:8.1f} {own:8.1f} {children:8.1f} {wall:8.1f}  {name}")
