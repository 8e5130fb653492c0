from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.backups.archive import BackupError
from masthead.backups.snapshot import take


class Command(BaseCommand):
    help = ("Back up the database (one consistent snapshot, taken while the site runs) and the media files into "
            "the new folder PATH, with a manifest and sha256 checksums.")

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="A folder to create (it must not exist).")

    def handle(self, *args, **options):
        try:
            taken = take(Path(options["path"]))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backed up {taken.rows:,} rows in {taken.tables} tables and {taken.files:,} media files "
                          f"({taken.bytes / 1e6:,.1f} MB) to {taken.path} in {taken.seconds:.1f} s.")
