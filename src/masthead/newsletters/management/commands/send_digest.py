"""``masthead send_digest [--edition fa] [--dry-run] [--when-due] [--digest ID]``: send the day's digest,
what is due, or one special edition, carrying on any that stopped."""

import smtplib
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from masthead.newsletters import sending
from masthead.newsletters.models import Digest


class Command(BaseCommand):
    help = ("Send the day's digest to an edition's confirmed subscribers (or, with --when-due, whatever is "
            "due); run again, it resumes from its send log.")

    def add_arguments(self, parser):
        parser.add_argument("--edition", help=f"the edition's language ({', '.join(dict(settings.LANGUAGES))}); "
                                              "default the site's, or every edition with --when-due")
        parser.add_argument("--dry-run", action="store_true", help="compose every message, send and log none")
        parser.add_argument("--when-due", action="store_true",
                            help="send each edition's daily digest once its MASTHEAD_DIGEST_AT has come (once a "
                                 "day), and any special edition ordered in the newsroom; for a timer every few minutes")
        parser.add_argument("--digest", type=int, metavar="ID", help="send (or finish) the digest with this ID")
        parser.add_argument("--batch-size", type=int, default=500, help="messages per mail connection (default 500)")
        parser.add_argument("--connections", type=int, metavar="N",
                            help="mail connections at once (default MASTHEAD_DIGEST_CONNECTIONS)")

    def handle(self, *args, edition, dry_run, when_due, digest, batch_size, connections, **options):
        if when_due and (dry_run or digest):
            raise CommandError("--when-due sends what is due: it does not go with --dry-run or --digest.")
        if batch_size < 1:
            raise CommandError(f"--batch-size must be 1 or more, not {batch_size}.")
        if connections is not None and connections < 1:
            raise CommandError(f"--connections must be 1 or more, not {connections}.")
        started = time.monotonic()

        def progress(report):
            done = report.sent + report.failed + report.skipped
            rate = (report.sent + report.failed) / max(time.monotonic() - started, 1e-6)
            self.stderr.write(f"{done}/{report.recipients} ({rate:.0f} messages/s)")

        show = progress if options["verbosity"] > 1 or sys.stderr.isatty() else None
        try:
            if when_due:
                reports = sending.send_due(editions=[edition] if edition else None, batch_size=batch_size,
                                           connections=connections, progress=show)
                if not reports:
                    self.stdout.write("Nothing is due.")
            elif digest:
                found = Digest.objects.filter(pk=digest).first()
                if found is None:
                    raise CommandError(f"There is no digest {digest}: the newsroom's Digests list their IDs.")
                reports = [sending.send_digest(found, dry_run=dry_run, batch_size=batch_size,
                                               connections=connections, progress=show)]
            else:
                reports = [sending.send(edition=edition or settings.LANGUAGE_CODE, dry_run=dry_run,
                                        batch_size=batch_size, connections=connections, progress=show)]
        except ValueError as error:
            raise CommandError(str(error)) from None
        except (smtplib.SMTPException, OSError) as error:
            raise CommandError(f"The mail server stopped the send ({error}). What was sent is logged: "
                               "run the command again to send the rest.") from None
        for report in reports:
            self.stdout.write(self._summary(report, dry_run=dry_run))

    def _summary(self, report: sending.Report, *, dry_run: bool) -> str:
        digest = report.digest
        name = f"Special edition {digest.pk}" if digest.kind == Digest.Kind.SPECIAL else "Digest"
        if not digest.story_ids:
            return f"No stories for the {digest.edition} digest of {digest.day}: nothing sent."
        verb = "would send" if dry_run else "sent"
        return (f"{name} {digest.day} ({digest.edition}), {len(digest.story_ids)} stories, "
                f"{report.recipients} subscribers: {verb} {report.sent}, failed {report.failed}, "
                f"already sent {report.skipped}.")
