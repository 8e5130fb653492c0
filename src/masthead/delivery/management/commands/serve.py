import os
import resource
import shutil
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the site with a production server (granian, uvicorn or gunicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=1,
                            help="Processes. Each keeps its own page cache; purges reach all of them.")
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--server", choices=["granian", "uvicorn", "gunicorn"], default="uvicorn")

    def handle(self, *args, host, port, workers, threads, server, **options):
        executable = shutil.which(server, path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
        if executable is None:
            raise CommandError(f"{server} is not installed in this environment: pip install {server}")
        # Every server runs masthead.asgi, whose front reads request bodies before a thread is
        # given to Django (see delivery/front.py); the threads are its pool. uvicorn, the default,
        # answers page-cache hits in its protocol (delivery/hitserver.py): a hit costs it about 60 %
        # of the CPU granian spends on one through its own RSGI (bench/README.md, "Hits in the protocol").
        os.environ["MASTHEAD_SERVER_THREADS"] = str(threads)
        # A connection is a file: an open live stream (live/streams.py) holds one for as long as the
        # page is open, so the server may use every file the system lets it (the soft limit is often
        # 1,024). Granian raises its own limit; gunicorn keeps the one it is given.
        raise_open_files()
        if not os.environ.get("MASTHEAD_SITE_URL"):
            # With no public address configured, the site's own links (canonical, feeds, sitemaps,
            # API) name the address it is served at, which the workers read from their settings.
            address = own_address(host=host, port=port)
            os.environ["MASTHEAD_SITE_URL"] = address
            # uvicorn with one worker serves from this very process, whose settings were read before.
            if getattr(settings, "CSRF_TRUSTED_ORIGINS", None) == [settings.SITE_URL]:
                settings.CSRF_TRUSTED_ORIGINS = [address]
            settings.SITE_URL = address
        self.stdout.write(f"Serving {settings.SITE_NAME} at http://{host}:{port}/ ({server}, {workers} worker(s)); Ctrl-C stops.")
        self.stdout.flush()
        if server == "uvicorn":
            # Page-cache hits are answered by the protocol itself as their headers are read
            # (delivery/hitserver.py, which also bounds how long and large headers may be).
            import uvicorn

            uvicorn.run("masthead.asgi:application", host=host, port=port, workers=workers, loop="uvloop",
                        http="masthead.delivery.hitserver:HitProtocol", lifespan="on", access_log=False,
                        proxy_headers=False, server_header=False, backlog=4096, timeout_graceful_shutdown=10,
                        log_level="warning")
            return
        if server == "granian":
            # Headers must arrive within 10 s; a connection costs no thread, so allow many. A stop
            # waits at most 10 s for slow clients still sending, then ends the workers.
            argv = [executable, "--interface", "rsgi", "--host", host, "--port", str(port), "--workers", str(workers),
                    "--no-ws", "--http1-header-read-timeout", "10000", "--workers-kill-timeout", "10",
                    "--backlog", "4096", "--backpressure", "16384", "--log-level", "warning", "masthead.asgi:application"]
        else:
            argv = [executable, "--bind", f"{host}:{port}", "--workers", str(workers), "--worker-class", "asgi",
                    "--worker-connections", "16384", "--backlog", "4096", "--timeout", "30", "--graceful-timeout", "10",
                    "--no-control-socket", "--access-logfile", "-", "masthead.asgi:application"]
        os.execv(executable, argv)


def own_address(*, host: str, port: int) -> str:
    """The address readers on this machine reach the server at when it listens on ``host``:``port``."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"  # listening on every interface: loopback is one of them
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def raise_open_files() -> None:
    """Raise this process's open-files limit to its hard limit; the server it becomes keeps it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
