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
                            help="Processes. Each keeps its own page cache; purges reach all of them.")
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian")

    def handle(self, *args, host, port, workers, threads, server, **options):
        executable = shutil.which(server, path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
        if executable is None:
            raise CommandError(f"{server} is not installed in this environment: pip install {server}")
        if server == "granian":
            argv = [executable, "--interface", "wsgi", "--host", host, "--port", str(port), "--workers", str(workers),
                    "--blocking-threads", str(threads), "--no-ws", "--log-level", "warning", "masthead.wsgi:application"]
        else:
            argv = [executable, "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", str(threads),
                    "--no-control-socket", "--access-logfile", "-", "masthead.wsgi:application"]
        self.stdout.write(f"Serving {settings.SITE_NAME} at http://{host}:{port}/ ({server}, {workers} worker(s)); Ctrl-C stops.")
        self.stdout.flush()
        os.execv(executable, argv)
