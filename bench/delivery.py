"""Cached article throughput of this checkout against another (the code before a change), in one run.

    .venv/bin/python bench/delivery.py --var-dir bench/results/var-20000 --baseline /path/to/old/checkout
    .venv/bin/python bench/delivery.py --var-dir … --baseline … --redis      # both with a throwaway Redis

``--var-dir`` is an archive built by ``make bench BENCH=read ARGS="--keep"``. Both checkouts are
served by ``masthead serve`` (granian, 2 workers) on the same archive, one at a time, in
alternating rounds (so a change in the machine's load touches both alike), and loaded with
``wrk -t2 -c16``: the baseline's plain page, this checkout's plain page and its gzip page.
With ``--nginx``, a round also loads the same page saved as a static file and served by nginx
(one worker per core, ``sendfile``): the ceiling issue 13 measures against.
"""

import argparse
import contextlib
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load  # noqa: E402
from bench.run import serving  # noqa: E402


def _article(var_dir: Path) -> str:
    with contextlib.closing(sqlite3.connect(var_dir / "masthead.sqlite3")) as db:
        pk, slug = db.execute("SELECT id, slug FROM news_article WHERE status = 'published' ORDER BY id LIMIT 1 OFFSET 100").fetchone()
    return f"/news/{pk}/{slug}/"


NGINX_CONF = """daemon off; worker_processes 2; pid {dir}/nginx.pid; error_log {dir}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000; default_type text/html;
  client_body_temp_path {dir}; proxy_temp_path {dir}; fastcgi_temp_path {dir}; uwsgi_temp_path {dir}; scgi_temp_path {dir};
  server {{ listen 127.0.0.1:{port}; root {dir}/root; }} }}
"""


@contextlib.contextmanager
def nginx(html: bytes, path: str):
    """nginx serving ``html`` at ``path`` on a free port; yield the port."""
    from tests.servers import free_port, wait_for_http

    work, port = tempfile.mkdtemp(prefix="masthead-nginx-"), free_port()
    target = Path(work, "root", path.strip("/"), "index.html")
    target.parent.mkdir(parents=True)
    target.write_bytes(html)
    Path(work, "nginx.conf").write_text(NGINX_CONF.format(dir=work, port=port))
    process = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", f"{work}/nginx.conf", "-p", work],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_http(f"http://127.0.0.1:{port}{path}")
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var-dir", type=Path, required=True)
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the code to compare with")
    parser.add_argument("--redis", action="store_true")
    parser.add_argument("--nginx", action="store_true", help="also load the page as a static file served by nginx")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5)
    args = parser.parse_args(argv)
    path = _article(args.var_dir)
    with contextlib.ExitStack() as stack:
        env = {**os.environ, "MASTHEAD_VAR_DIR": str(args.var_dir.resolve()), "MASTHEAD_DEBUG": "0"}
        env.pop("MASTHEAD_CACHE_URL", None)
        if args.redis:
            from tests.servers import redis

            env["MASTHEAD_CACHE_URL"] = stack.enter_context(redis())
        baseline_env = {**env, "PYTHONPATH": str((args.baseline / "src").resolve())}
        runs = {"baseline, plain": (baseline_env, {}), "this, plain": (env, {}),
                "this, gzip": (env, {"Accept-Encoding": "gzip"})}
        found = {name: [] for name in runs}
        if args.nginx:
            found["static nginx"] = []
            with serving("granian", env=env, workers=1, log_dir=Path("bench/results")) as port:
                html = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read()
        for number in range(args.rounds):
            if args.nginx:
                with nginx(html, path) as port:
                    load.load(port, path=path, duration=1, connections=16, threads=2)
                    result = load.load(port, path=path, duration=args.duration, connections=16, threads=2)
                found["static nginx"].append(result.requests_per_second)
                print(f"round {number + 1}: {'static nginx':16} {result.requests_per_second:9,.0f} req/s", flush=True)
            for name, (server_env, headers) in runs.items():
                with serving("granian", env=server_env, workers=2, log_dir=Path("bench/results")) as port:
                    load.load(port, path=path, duration=1, connections=16, threads=2, headers=headers)  # each worker builds it
                    result = load.load(port, path=path, duration=args.duration, connections=16, threads=2, headers=headers)
                found[name].append(result.requests_per_second)
                print(f"round {number + 1}: {name:16} {result.requests_per_second:9,.0f} req/s  errors {result.errors}",
                      flush=True)
        print(f"\n{path}, granian 2 workers, wrk -t2 -c16, {args.duration:.0f} s, {'Redis' if args.redis else 'no Redis'}")
        for name, values in found.items():
            print(f"  {name:16} median {statistics.median(values):9,.0f} req/s  ({', '.join(f'{v:,.0f}' for v in values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
