"""The cost of a page-cache hit inside one process: the purge check, the look-up and the answer.

    .venv/bin/python bench/pagecache.py            # the default: purges told through the purge log
    .venv/bin/python bench/pagecache.py --redis    # a throwaway Redis: purges through pub/sub

No server and no database: a 40 kB page is stored and fetched as the WSGI front fetches it.
"""

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _per_call(function, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        function()
    return (time.perf_counter() - started) / count * 1e6


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", action="store_true")
    parser.add_argument("--count", type=int, default=20_000)
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        os.environ["MASTHEAD_VAR_DIR"] = stack.enter_context(tempfile.TemporaryDirectory())
        os.environ.pop("MASTHEAD_CACHE_URL", None)
        if args.redis:
            from tests.servers import redis

            os.environ["MASTHEAD_CACHE_URL"] = stack.enter_context(redis())
        os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
        import django

        django.setup()
        from masthead.delivery import fanout, hits, pagecache

        body = b"<html><body><p>" + b"words of the story " * 2000 + b"</p><footer>Page Generated in " + \
            pagecache.TIMING_MARK + b" sec</footer></body></html>"
        page = pagecache.make_page(body=body, headers=[("Content-Type", "text/html; charset=utf-8")], status=200,
                                   keys=["article-1", "section-1", "home"], reads=(), strict=False, etag='"bench"',
                                   content_type="text/html; charset=utf-8", language="en", rendered_at=time.time(), lifetime=300)
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/news/1/story/", "HTTP_HOST": "localhost", "QUERY_STRING": ""}
        pagecache.store(environ, page)
        pagecache.purge_keys(["article-2"])  # a purge record exists, as on a live site
        channel = fanout.current()
        print(f"fan-out: {type(channel).__name__}; page {len(body):,} bytes, gzip {sum(map(len, page.gzip)):,} bytes")
        print(f"  purge check (poll)            {_per_call(channel.poll, args.count):7.2f} us")
        print(f"  fetch (poll + look-up + keys) {_per_call(lambda: pagecache.fetch(environ), args.count):7.2f} us")
        for label, extra in (("plain", {}), ("gzip", {"HTTP_ACCEPT_ENCODING": "gzip"})):
            asked = {**environ, **extra}

            def hit():
                hits.answer(pagecache.fetch(asked), asked, started=time.perf_counter(), hit=True)

            print(f"  fetch + answer, {label:5}         {_per_call(hit, args.count):7.2f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
