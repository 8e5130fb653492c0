import signal
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from masthead.ingest import formats
from masthead.ingest.progress import Progress
from masthead.ingest.run import run
from masthead.stories import bulk


class Command(BaseCommand):
    help = ("Import stories from saved pages, HTML pages, WordPress exports, RSS/Atom feeds or IPTC ninjs: "
            "files, folders, .zip archives or '-' for standard input. Re-importing updates, never duplicates.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="File, folder, .zip, or '-' for standard input.")
        parser.add_argument("--strict", action="store_true", help="Stop at the first item that fails.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; write nothing.")
        parser.add_argument("--status", choices=["draft", "review"], help="Import every story with this status, for review.")
        parser.add_argument("--format", choices=sorted(formats.READERS), help="Read every input as this format.")
        parser.add_argument("--section", default="news", help="Section for stories whose source names none (default: news).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar or progress lines.")
        parser.add_argument("--by", metavar="USERNAME",
                            help=f"The account the stories' revisions and audit entries name (default: {bulk.SYSTEM_ACTOR}).")

    def handle(self, *args, **options):
        # A kill (SIGTERM) ends the run like Ctrl-C: the batch being written is rolled back whole.
        previous = signal.signal(signal.SIGTERM, _interrupt) if _main_thread() else None
        # The bar redraws its line with a carriage return, so it writes to the stream itself.
        stream = options.get("stderr") or sys.stderr
        tty = hasattr(stream, "isatty") and stream.isatty()
        by = None
        if options.get("by"):
            by = get_user_model().objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(f"--by {options['by']}: there is no account with that username")
        progress = None if options["no_progress"] else Progress(stream, total_bytes=None, tty=tty)
        try:
            summary = run(options["paths"], strict=options["strict"], dry_run=options["dry_run"],
                          status=options["status"], format=options["format"], section=options["section"], by=by,
                          report=lambda message: self.stderr.write(message), progress=progress)
        except KeyboardInterrupt as interrupt:
            summary = interrupt.args[0] if interrupt.args else None
            if summary is not None:
                self.stdout.write(f"Interrupted: {summary}. Whole stories only: what was not committed was rolled back.")
            raise CommandError("import interrupted", returncode=130) from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        prefix = "Dry run, nothing written: would have " if options["dry_run"] else "Imported: "
        self.stdout.write(f"{prefix}{summary}.")
        if summary.failed:
            raise CommandError(f"{summary.failed:,} item(s) failed; see the messages above.", returncode=1)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
