from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.backups.archive import BackupError
from masthead.backups.restore import restore


class Command(BaseCommand):
    help = ("Restore a backup made by `masthead backup` into this install, which must be empty (see --replace). "
            "A damaged backup, or one from another database engine or a newer version, is refused unchanged.")

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="The folder `masthead backup` wrote.")
        parser.add_argument("--replace", action="store_true",
                            help="Replace the database and media files of an install that is not empty.")

    def handle(self, *args, **options):
        try:
            restored = restore(Path(options["path"]), replace=options["replace"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {restored.rows:,} rows in {restored.tables} tables and {restored.files:,} media "
                          f"files from {options['path']} in {restored.seconds:.1f} s; every table's rows match "
                          "the manifest.")
        if restored.migrated:
            self.stdout.write(f"Applied {len(restored.migrated)} migration(s) newer than the backup.")
