"""Instructions per uncached article page, counted by valgrind: a figure load does not move.

    .venv/bin/python -m bench.instructions --var-dir bench/results/var-300000
    # another tree's code on the same archive (bench from this tree, masthead from the other):
    PYTHONPATH=<export>/src .venv/bin/python -m bench.instructions --var-dir bench/results/var-300000

On a shared machine CPU time per page swings by tens of per cent between runs of the same code;
two counts of the same tree agree within 0.1 %. The process serves ``--warm-up`` stories, then
callgrind counts the instructions of ``--pages`` other stories, each asked for once through
Django's WSGI handler with ``Accept-Encoding: gzip``, and stops counting before the process ends.
Needs valgrind (Debian: ``valgrind``). It counts instructions, not time: a change that waits on
the disk or misses the CPU's caches more is not seen here.
"""

import argparse
import io
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _serve(args) -> None:
    """The counted process: warm up, signal, serve the pages, signal."""
    os.environ.update(MASTHEAD_VAR_DIR=str(args.var_dir), MASTHEAD_DEBUG="0", DJANGO_SETTINGS_MODULE="masthead.settings")
    os.environ.pop("MASTHEAD_CACHE_URL", None)
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    from masthead.news.models import Article

    stories = list(Article.objects.visible().filter(language="en").order_by("id").values_list("id", "slug"))
    random.Random(args.seed).shuffle(stories)
    app = WSGIHandler()

    def ask(pk, slug):
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": f"/news/{pk}/{slug}/", "QUERY_STRING": "",
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT_ENCODING": "gzip",
                   "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr}
        answer = {}
        b"".join(app(environ, lambda status, headers: answer.update(status=status)))
        if not answer["status"].startswith("200"):
            raise RuntimeError(f"/news/{pk}/{slug}/ answered {answer['status']}")

    for story in stories[:args.warm_up]:
        ask(*story)
    signals = Path(args.signals)
    _say_and_wait(signals / "ready", signals / "counting")
    for story in stories[args.warm_up:args.warm_up + args.pages]:
        ask(*story)
    _say_and_wait(signals / "done", signals / "stopped")


def _say_and_wait(said: Path, wanted: Path) -> None:
    said.write_text(str(os.getpid()))
    while not wanted.exists():
        time.sleep(0.05)


def _wait_for(path: Path, process) -> None:
    while not path.exists():
        if process.poll() is not None:
            raise SystemExit(f"the counted process stopped (exit {process.returncode}); run with --child to see why")
        time.sleep(0.2)


def counted(module: str, args: list[str]) -> int:
    """Instructions ``python -m module --child --signals <folder> *args`` runs between saying
    "ready" and "done" (see ``_say_and_wait``), counted by callgrind."""
    with tempfile.TemporaryDirectory() as folder:
        signals, out = Path(folder), Path(folder) / "callgrind.out"
        argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                sys.executable, "-m", module, "--child", "--signals", folder, *args]
        log = open(signals / "log", "w")
        process = subprocess.Popen(argv, env={**os.environ, "PYTHONHASHSEED": "0"}, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for(signals / "ready", process)
            subprocess.run(["callgrind_control", "--instr=on", str(process.pid)], check=True, capture_output=True)
            (signals / "counting").touch()
            _wait_for(signals / "done", process)
            subprocess.run(["callgrind_control", "--instr=off", str(process.pid)], check=True, capture_output=True)
            (signals / "stopped").touch()
            process.wait(timeout=300)
        finally:
            if process.poll() is None:
                process.kill()
            log.close()
        return int(re.search(r"^totals: (\d+)", out.read_text(), re.M).group(1))


def count(args) -> float:
    """Millions of instructions per page."""
    return counted("bench.instructions", ["--var-dir", str(args.var_dir), "--pages", str(args.pages),
                                          "--warm-up", str(args.warm_up), "--seed", str(args.seed)]) / args.pages / 1e6


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--var-dir", type=Path, required=True, help="a folder holding a built archive (bench.run --keep)")
    parser.add_argument("--pages", type=int, default=60, help="stories counted (default 60)")
    parser.add_argument("--warm-up", type=int, default=60, help="stories served before counting (default 60)")
    parser.add_argument("--seed", type=int, default=7, help="which stories: the same seed picks the same ones")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--signals", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.var_dir = args.var_dir.resolve()
    if args.child:
        _serve(args)
        return 0
    import masthead

    print(f"{count(args):.3f} M instructions per uncached article page ({args.pages} stories, seed {args.seed}, "
          f"masthead from {Path(masthead.__file__).parent})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
