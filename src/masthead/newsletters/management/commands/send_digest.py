"""``masthead send_digest [--edition fa] [--dry-run]``: send the day's digest, or carry on one that stopped."""

import smtplib
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from masthead.newsletters import sending


class Command(BaseCommand):
    help = "Send the day's digest to an edition's confirmed subscribers; run again, it resumes from its send log."

    def add_arguments(self, parser):
        parser.add_argument("--edition", default=settings.LANGUAGE_CODE,
                            help=f"the edition's language ({', '.join(dict(settings.LANGUAGES))}); default the site's")
        parser.add_argument("--dry-run", action="store_true", help="compose every message, send and log none")
        parser.add_argument("--batch-size", type=int, default=500, help="messages per mail connection (default 500)")

    def handle(self, *args, edition, dry_run, batch_size, **options):
        started = time.monotonic()

        def progress(report):
            done = report.sent + report.failed + report.skipped
            rate = (report.sent + report.failed) / max(time.monotonic() - started, 1e-6)
            self.stderr.write(f"{done}/{report.recipients} ({rate:.0f} messages/s)")

        try:
            report = sending.send(edition=edition, dry_run=dry_run, batch_size=batch_size,
                                  progress=progress if options["verbosity"] > 1 or sys.stderr.isatty() else None)
        except ValueError as error:
            raise CommandError(str(error)) from None
        except (smtplib.SMTPException, OSError) as error:
            raise CommandError(f"The mail server stopped the send ({error}). What was sent is logged: "
                               "run the command again to send the rest.") from None
        if not report.digest.story_ids:
            self.stdout.write(f"No stories for the {edition} digest of {report.digest.day}: nothing sent.")
            return
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"Digest {report.digest.day} ({edition}), {len(report.digest.story_ids)} stories, "
                          f"{report.recipients} subscribers: {verb} {report.sent}, failed {report.failed}, "
                          f"already sent {report.skipped}.")
