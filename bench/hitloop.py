"""The Python a cached page's hit costs ``masthead serve``'s protocol, in a loop: no socket, no kernel.

    .venv/bin/python -m bench.hitloop --var-dir bench/results/var-300000
    # another tree's code on the same archive:
    PYTHONPATH=<export>/src .venv/bin/python -m bench.hitloop --var-dir bench/results/var-300000
    # instructions per hit, counted by valgrind, which other load on the machine does not move:
    .venv/bin/python -m bench.hitloop --var-dir bench/results/var-300000 --instructions

A hit's cost under ``wrk`` is the kernel's socket work plus this; the kernel's part does not
change with our code, and this part is hidden in its noise. The process builds one story page
through Django (so the page cache holds it, as after a reader's miss), then feeds
``delivery.hitserver.HitProtocol`` the bytes ``wrk -H 'Accept-Encoding: gzip'`` sends, on one
connection whose writes are kept, not sent, and prints the best of ``--rounds`` rounds in
microseconds per hit. Every answer is checked to be the page's hit. On a busy machine the best
round still moves by a tenth between runs; ``--instructions`` counts instead (callgrind, as
``bench.instructions`` does, over ``--hits`` hits after a warm-up round), within 0.1 % run to run.
"""

import argparse
import asyncio
import io
import os
import sys
import time
from pathlib import Path

from bench.instructions import _say_and_wait, counted


class Transport(asyncio.Transport):
    """A connection's transport whose writes are counted and dropped."""

    def __init__(self):
        super().__init__()
        self.written = 0
        self.last = b""
        self.closing = False

    def get_extra_info(self, name, default=None):
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 40000)}.get(name, default)

    def write(self, data):
        self.written += 1
        self.last = data

    def is_closing(self):
        return self.closing

    def close(self):
        self.closing = True

    def pause_reading(self):
        pass

    def resume_reading(self):
        pass


def _connection(var_dir: str):
    """A protocol connected to a dropping transport, the request ``wrk`` sends, and the page held."""
    os.environ.update(MASTHEAD_VAR_DIR=var_dir, MASTHEAD_DEBUG="0", DJANGO_SETTINGS_MODULE="masthead.settings")
    os.environ.pop("MASTHEAD_CACHE_URL", None)
    import django

    django.setup()
    import uvloop
    from django.core.handlers.wsgi import WSGIHandler
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from masthead.delivery.hitserver import HitProtocol
    from masthead.news.models import Article

    pk, slug = Article.objects.visible().filter(language="en").order_by("-id").values_list("id", "slug")[0]
    path = f"/news/{pk}/{slug}/"
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000", "HTTP_ACCEPT_ENCODING": "gzip",
               "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr}
    status = []
    b"".join(WSGIHandler()(environ, lambda line, headers: status.append(line)))
    if not status[0].startswith("200"):
        raise SystemExit(f"{path} answered {status[0]}")
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nAccept-Encoding: gzip\r\n\r\n".encode()

    loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)
    config = Config("masthead.asgi:application", loop="uvloop", server_header=False, access_log=False)
    config.load()
    protocol = HitProtocol(config=config, server_state=ServerState(), app_state={}, _loop=loop)
    transport = Transport()
    protocol.connection_made(transport)
    return protocol, transport, request


def _hits(protocol, transport, request: bytes, count: int) -> float:
    """Seconds ``count`` hits took, each answer checked."""
    transport.written = 0
    began = time.perf_counter()
    for _ in range(count):
        protocol.data_received(request)
    took = time.perf_counter() - began
    if transport.written != count or b"x-cache: hit" not in transport.last.lower():
        raise SystemExit(f"{transport.written} answers for {count} requests; the last: {transport.last[:300]!r}")
    return took


def _counted(args) -> None:
    """The process valgrind counts: a warm-up round, then ``--hits`` hits between two signals."""
    protocol, transport, request = _connection(args.var_dir)
    _hits(protocol, transport, request, 1000)
    signals = Path(args.signals)
    _say_and_wait(signals / "ready", signals / "counting")
    _hits(protocol, transport, request, args.hits)
    _say_and_wait(signals / "done", signals / "stopped")


def instructions(args) -> float:
    """Instructions per hit."""
    return counted("bench.hitloop", ["--var-dir", args.var_dir, "--hits", str(args.hits)]) / args.hits


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hitloop", description=__doc__.split("\n\n")[0])
    parser.add_argument("--var-dir", required=True, help="an archive's folder (the read bench's --var-dir)")
    parser.add_argument("--hits", type=int, default=20_000, help="hits a round (default 20,000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the best is printed (default 5)")
    parser.add_argument("--instructions", action="store_true", help="count instructions per hit with valgrind instead")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--signals", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.var_dir = str(Path(args.var_dir).resolve())
    if args.child:
        _counted(args)
        return 0
    if args.instructions:
        print(f"{instructions(args):,.0f} instructions per hit ({args.hits:,} hits counted)")
        return 0
    protocol, transport, request = _connection(args.var_dir)
    best = min(_hits(protocol, transport, request, args.hits) for _ in range(args.rounds))
    protocol.connection_lost(None)
    print(f"{best / args.hits * 1e6:.2f} µs per hit (best of {args.rounds} × {args.hits:,}; "
          f"{len(transport.last):,} bytes an answer)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
