import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.epaper.importing import ImportRefused, import_issue


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date {value!r}: is not a date like 2021-04-12") from None


class Command(BaseCommand):
    help = "Import a printed issue from its PDF or a folder of page PDFs (idempotent: a re-import replaces it whole)."

    def add_arguments(self, parser):
        parser.add_argument("pdf", help="the whole issue's PDF, or a folder of one PDF per page named in page order")
        parser.add_argument("--date", required=True, help="the issue's date, YYYY-MM-DD")
        parser.add_argument("--number", type=int, help="the paper's running issue number")
        parser.add_argument("--special", help="the name of a special issue (it gets its own address and numbering)")

    def handle(self, *args, pdf, date, number, special, **options):
        def progress(done: int, total: int) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"rendered {done}/{total} pages")

        try:
            result = import_issue(Path(pdf), date=_date(date), number=number, special=special, progress=progress)
        except ImportRefused as error:
            raise CommandError(f"{error}. Nothing was imported.") from None
        issue = result.issue
        verb = "Imported" if result.changed else "Unchanged:"
        self.stdout.write(f"{verb} {issue} with {result.pages} pages at {issue.get_absolute_url()}")
