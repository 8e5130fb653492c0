"""Sending a digest: over several mail connections at once (``handover.py``), with a send log
that makes a send resumable.

The log (``Delivery``) gets a row, committed on its own, the moment the mail server has accepted a
message, and a message is sent only to an address the log does not hold. So a send killed at any
point and run again carries on where it stopped: every address already logged is skipped, every
other one is sent. The one window left is between the server's acceptance and that commit (a
crash there sends the message in flight on each connection again, at most one a connection);
each message carries the same ``Message-ID`` on a resend so receiving servers can recognise it.
"""

from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone
from typing import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead import characters
from masthead.news.models import Article
from masthead.newsletters import composing, handover
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
    daily = Digest.objects.filter(kind=Digest.Kind.DAILY)
    found = daily.filter(edition=edition, day=day).first()
    if found:
        return found
    digest = Digest(edition=edition, day=day, subject=composing.subject(edition=edition, at=at),
                    story_ids=[story.pk for story in composing.top_stories(edition=edition, at=at)])
    if create:
        try:
            with transaction.atomic():
                digest.save()
        except IntegrityError:  # another sender began it a moment ago
            return daily.get(edition=edition, day=day)
    return digest


def send(*, edition: str, at: datetime | None = None, dry_run: bool = False, batch_size: int = 500,
         connections: int | None = None, progress: Callable[[Report], None] | None = None) -> Report:
    """Send (or, with ``dry_run``, compose without sending or logging) ``edition``'s digest of the day."""
    _check_edition(edition)
    at = at or timezone.now()
    digest = digest_for(edition=edition, at=at, create=not dry_run)
    return send_digest(digest, dry_run=dry_run, batch_size=batch_size, connections=connections, progress=progress)


def is_due(*, edition: str, at: datetime) -> bool:
    """Whether ``edition``'s daily digest should go out at ``at``: its time of day (``MASTHEAD_DIGEST_AT``,
    GMT) has come and that day's digest has not finished."""
    hour, minute = settings.DIGEST_AT[edition]
    utc = at.astimezone(dt_timezone.utc)
    if (utc.hour, utc.minute) < (hour, minute):
        return False
    return not Digest.objects.filter(edition=edition, day=timezone.localdate(at), kind=Digest.Kind.DAILY,
                                     finished_at__isnull=False).exists()


def send_due(*, editions: list[str] | None = None, at: datetime | None = None, batch_size: int = 500,
             connections: int | None = None, progress: Callable[[Report], None] | None = None) -> list[Report]:
    """Send what is due at ``at``: each edition's daily digest once its time has come (once a day,
    resuming one that stopped), and every special edition not yet finished, oldest first."""
    at = at or timezone.now()
    editions = editions or list(dict(settings.LANGUAGES))
    for edition in editions:
        _check_edition(edition)
    reports = []
    for special in Digest.objects.filter(kind=Digest.Kind.SPECIAL, finished_at__isnull=True,
                                         edition__in=editions).order_by("started_at", "id"):
        reports.append(send_digest(special, batch_size=batch_size, connections=connections, progress=progress))
    for edition in editions:
        if is_due(edition=edition, at=at):
            reports.append(send(edition=edition, at=at, batch_size=batch_size, connections=connections,
                                progress=progress))
    return reports


def check_special(*, edition: str, story_ids: list[int], subject: str = "", at: datetime | None = None) -> list[Article]:
    """The stories a special edition of ``story_ids`` would carry, in that order, or ``ValueError``
    saying what is wrong with the choice."""
    _check_edition(edition)
    at = at or timezone.now()
    if not story_ids:
        raise ValueError(_("Choose at least one story for the special edition."))
    if len(story_ids) > settings.DIGEST_STORIES:
        raise ValueError(_("A digest carries at most %(count)d stories; %(chosen)d were chosen.")
                         % {"count": settings.DIGEST_STORIES, "chosen": len(story_ids)})
    bad = characters.first_bad(subject)
    if bad:
        raise ValueError(_("The subject holds a character that is not text (%(where)s).") % {"where": bad})
    found = Article.objects.visible(at=at).in_bulk(story_ids)
    hidden = [str(pk) for pk in story_ids if pk not in found]
    if hidden:
        raise ValueError(_("Readers cannot see these stories, so a digest cannot carry them: %(ids)s.")
                         % {"ids": ", ".join(hidden)})
    return [found[pk] for pk in story_ids]


def queue_special(*, edition: str, story_ids: list[int], by, subject: str = "",
                  at: datetime | None = None) -> Digest:
    """Order a special edition of ``story_ids`` for ``edition``'s subscribers; the next
    ``send_digest --when-due`` (or ``send_digest --digest ID``) sends it, through the same
    templates and send log as the daily digest."""
    at = at or timezone.now()
    check_special(edition=edition, story_ids=story_ids, subject=subject, at=at)
    return Digest.objects.create(edition=edition, day=timezone.localdate(at), kind=Digest.Kind.SPECIAL,
                                 subject=subject.strip() or composing.special_subject(edition=edition, at=at),
                                 story_ids=list(story_ids), ordered_by=by, started_at=at)


def send_digest(digest: Digest, *, dry_run: bool = False, batch_size: int = 500, connections: int | None = None,
                progress: Callable[[Report], None] | None = None) -> Report:
    """Send ``digest`` to its edition's subscribers not yet in its send log, over ``connections``
    mail connections at once (default ``MASTHEAD_DIGEST_CONNECTIONS``); with ``dry_run``, compose
    every message and send and log none."""
    everyone = recipients(digest.edition)
    report = Report(digest=digest, recipients=everyone.count(), dry_run=dry_run)
    if not digest.story_ids:
        if not dry_run and digest.pk:
            Digest.objects.filter(pk=digest.pk).update(finished_at=timezone.now())
        return report
    if dry_run:
        composer = composing.Composer(digest)
        for batch in _pending(everyone, digest=digest, batch_size=batch_size, report=report, dry_run=True):
            for subscriber in batch:
                composer.message(subscriber, section_ids=subscriber.section_ids)
            report.sent += len(batch)
            if progress:
                progress(report)
        return report
    Digest.objects.filter(pk=digest.pk).update(recipients=report.recipients)
    tally = handover.Tally()

    def counted() -> None:
        report.sent, report.failed = tally.sent, tally.failed
        Digest.objects.filter(pk=digest.pk).update(sent=report.sent + report.skipped, failed=report.failed)
        if progress:
            progress(report)

    try:
        handover.hand_over(_pending(everyone, digest=digest, batch_size=batch_size, report=report), digest=digest,
                           connections=connections or settings.DIGEST_CONNECTIONS,
                           messages_per_connection=batch_size, tally=tally, progress=counted)
    finally:
        report.sent, report.failed = tally.sent, tally.failed
    sent = Delivery.objects.filter(digest=digest, error="").count()
    Digest.objects.filter(pk=digest.pk).update(
        sent=sent, failed=Delivery.objects.filter(digest=digest).exclude(error="").count(),
        finished_at=timezone.now())
    digest.refresh_from_db()
    return report


def _pending(everyone, *, digest: Digest, batch_size: int, report: Report, dry_run: bool = False):
    """``everyone`` not yet in ``digest``'s send log, ``batch_size`` at a time, each with the
    ``section_ids`` they chose; counts the others in ``report.skipped``."""
    last_id = 0
    while True:
        batch = list(everyone.filter(id__gt=last_id)[:batch_size])
        if not batch:
            return
        last_id = batch[-1].pk
        # One query a batch for the readers' sections (a related manager per reader cost more
        # than encoding their message).
        sections: dict[int, set[int]] = {}
        for subscriber_id, section_id in Subscriber.sections.through.objects.filter(
                subscriber_id__in=[s.pk for s in batch]).values_list("subscriber_id", "section_id"):
            sections.setdefault(subscriber_id, set()).add(section_id)
        for subscriber in batch:
            subscriber.section_ids = frozenset(sections.get(subscriber.pk, ()))
        done = set() if dry_run else {email.lower() for email in Delivery.objects.filter(
            digest=digest, email__in=[s.email for s in batch]).values_list("email", flat=True)}
        pending = [s for s in batch if s.email.lower() not in done]
        report.skipped += len(batch) - len(pending)
        yield pending


def _check_edition(edition: str) -> None:
    if edition not in dict(settings.LANGUAGES):
        raise ValueError(f"There is no edition {edition!r}: choose one of {', '.join(dict(settings.LANGUAGES))}.")
