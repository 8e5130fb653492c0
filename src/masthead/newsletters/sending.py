"""Sending a digest: in batches over one mail connection each, with a send log that makes a send
resumable.

The log (``Delivery``) gets a row, committed on its own, the moment the mail server has accepted a
message, and a message is sent only to an address the log does not hold. So a send killed at any
point and run again carries on where it stopped: every address already logged is skipped, every
other one is sent. The one window left is between the server's acceptance and that commit (a
crash there sends that one message again); each message carries the same ``Message-ID`` on a
resend so receiving servers can recognise it.
"""

import smtplib
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from masthead.newsletters import composing
from masthead.newsletters.models import Delivery, Digest, Subscriber, Suppression


@dataclass
class Report:
    digest: Digest
    recipients: int
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # already in the log from an earlier run
    dry_run: bool = False


def recipients(edition: str):
    """The confirmed subscribers of ``edition`` whose address is not suppressed, in a stable order."""
    suppressed = Suppression.objects.filter(email__iexact=OuterRef("email"))
    return Subscriber.objects.filter(edition=edition).exclude(Exists(suppressed)).order_by("id")


def digest_for(*, edition: str, at: datetime, create: bool = True) -> Digest:
    """The digest of ``edition`` for ``at``'s day: the one begun earlier that day (so a resumed send
    keeps its stories), or a new one with the day's top stories."""
    day = timezone.localdate(at)
    found = Digest.objects.filter(edition=edition, day=day).first()
    if found:
        return found
    digest = Digest(edition=edition, day=day, subject=composing.subject(edition=edition, at=at),
                    story_ids=[story.pk for story in composing.top_stories(edition=edition, at=at)])
    if create:
        try:
            with transaction.atomic():
                digest.save()
        except IntegrityError:  # another sender began it a moment ago
            return Digest.objects.get(edition=edition, day=day)
    return digest


def send(*, edition: str, at: datetime | None = None, dry_run: bool = False, batch_size: int = 500,
         progress: Callable[[Report], None] | None = None) -> Report:
    """Send (or, with ``dry_run``, compose without sending or logging) ``edition``'s digest of the day."""
    if edition not in dict(settings.LANGUAGES):
        raise ValueError(f"There is no edition {edition!r}: choose one of {', '.join(dict(settings.LANGUAGES))}.")
    at = at or timezone.now()
    digest = digest_for(edition=edition, at=at, create=not dry_run)
    everyone = recipients(edition)
    report = Report(digest=digest, recipients=everyone.count(), dry_run=dry_run)
    if not digest.story_ids:
        return report
    if not dry_run:
        Digest.objects.filter(pk=digest.pk).update(recipients=report.recipients)
    composer = composing.Composer(digest)
    connection = None if dry_run else get_connection()
    last_id = 0
    while True:
        batch = list(everyone.filter(id__gt=last_id).prefetch_related("sections")[:batch_size])
        if not batch:
            break
        last_id = batch[-1].pk
        done = set() if dry_run else {email.lower() for email in Delivery.objects.filter(
            digest=digest, email__in=[s.email for s in batch]).values_list("email", flat=True)}
        pending = [s for s in batch if s.email.lower() not in done]
        report.skipped += len(batch) - len(pending)
        if dry_run:
            for subscriber in pending:
                composer.message(subscriber, section_ids=frozenset(s.pk for s in subscriber.sections.all()))
            report.sent += len(pending)
        elif pending:
            _send_batch(composer, pending, connection, report)
            Digest.objects.filter(pk=digest.pk).update(sent=report.sent + report.skipped, failed=report.failed)
        if progress:
            progress(report)
    if not dry_run:
        sent = Delivery.objects.filter(digest=digest, error="").count()
        Digest.objects.filter(pk=digest.pk).update(
            sent=sent, failed=Delivery.objects.filter(digest=digest).exclude(error="").count(),
            finished_at=timezone.now())
        digest.refresh_from_db()
    return report


def _send_batch(composer: composing.Composer, batch: list[Subscriber], connection, report: Report) -> None:
    connection.open()
    try:
        for subscriber in batch:
            message = composer.message(subscriber, section_ids=frozenset(s.pk for s in subscriber.sections.all()),
                                       connection=connection)
            try:
                message.send()
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                # This address was refused; the server and the rest of the list are fine.
                Delivery.objects.create(digest=composer.digest, email=subscriber.email, error=str(error)[:250])
                report.failed += 1
                continue
            Delivery.objects.create(digest=composer.digest, email=subscriber.email)
            report.sent += 1
    finally:
        connection.close()
