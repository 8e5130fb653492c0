import os
import shutil
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the site with a production server (granian or gunicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=1,
                            help="Processes. More than one needs MASTHEAD_CACHE_URL so a publish purges every process.")
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian")

    def handle(self, *args, host, port, workers, threads, server, **options):
        if workers > 1 and "locmem" in settings.CACHES["default"]["BACKEND"]:
            self.stderr.write("Warning: several workers with a per-process cache; set MASTHEAD_CACHE_URL=redis://… "
                              "so that publishing purges every worker's page cache.")
        executable = shutil.which(server, path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
        if executable is None:
            raise CommandError(f"{server} is not installed in this environment: pip install {server}")
        if server == "granian":
            argv = [executable, "--interface", "wsgi", "--host", host, "--port", str(port), "--workers", str(workers),
                    "--blocking-threads", str(threads), "--no-ws", "--log-level", "warning", "masthead.wsgi:application"]
        else:
            argv = [executable, "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", str(threads),
                    "--no-control-socket", "--access-logfile", "-", "masthead.wsgi:application"]
        if not os.environ.get("MASTHEAD_SITE_URL"):
            # With no public address configured, the site's own links (canonical, feeds, sitemaps,
            # API) name the address it is served at, which the workers read from their settings.
            os.environ["MASTHEAD_SITE_URL"] = own_address(host=host, port=port)
        self.stdout.write(f"Serving {settings.SITE_NAME} at http://{host}:{port}/ ({server}, {workers} worker(s)); Ctrl-C stops.")
        self.stdout.flush()
        os.execv(executable, argv)


def own_address(*, host: str, port: int) -> str:
    """The address readers on this machine reach the server at when it listens on ``host``:``port``."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"  # listening on every interface: loopback is one of them
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"
