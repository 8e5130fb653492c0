"""Handing a digest's messages to the mail server over several connections at once.

A message costs the sender about as much CPU to compose as it costs a local mail server to take
it, and over one connection each waits for the other (bench/README.md, "The daily digest"). So
each connection has a thread of its own that composes messages and hands them over, while the
calling thread alone reads the subscribers and writes the send log: one database connection and
one writer (SQLite takes one at a time), the caller's own, inside whatever transaction it holds.

The send log's rule holds per connection: a thread hands over its next message only once the
calling thread has committed the last one it handed over, so a kill repeats at most one message
per connection. A connection that fails (the server refuses it, drops it, or refuses the sender)
retires, and the message it was handing over goes back to the others; its fate is unknown, so it
may arrive twice, like any message in flight at a kill. When no connection is left, the send
stops with the first failure, and the next run sends whatever the log does not hold.
"""

import queue
import smtplib
import threading
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Callable, Iterable

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection as db_connection, connections as db_connections
from django.utils import timezone

from masthead.newsletters import composing
from masthead.newsletters.models import Delivery, Digest, Subscriber


@dataclass
class Tally:
    """What the connections have done so far; kept by the calling thread alone."""

    sent: int = 0
    failed: int = 0


@dataclass
class _Outcome:
    worker: "_Connection"
    subscriber: Subscriber
    error: str = ""  # the server refused this address
    failure: BaseException | None = None  # the connection is gone


def hand_over(batches: Iterable[list[Subscriber]], *, digest: Digest, connections: int, messages_per_connection: int,
              tally: Tally, progress: Callable[[], None] | None = None) -> None:
    """Send ``digest`` to the subscribers of ``batches`` (each with ``section_ids`` set) over
    ``connections`` mail connections at once, logging each address as the server accepts or refuses
    it; ``progress`` is called every ``messages_per_connection`` messages and at the end."""
    log = _Log(digest)
    work: queue.Queue = queue.Queue()
    outcomes: queue.Queue = queue.Queue()
    workers = [_Connection(composer=composing.Composer(digest), work=work, outcomes=outcomes,
                           messages_per_connection=messages_per_connection) for _ in range(connections)]
    for worker in workers:
        worker.start()
    batches = iter(batches)
    queued = 0  # put on ``work`` and not yet logged
    alive, failures, exhausted, since_progress = len(workers), [], False, 0
    try:
        while True:
            # Read the next batch while the connections still have one to work on: memory holds
            # about two batches, whatever the number of subscribers.
            while not exhausted and queued < max(messages_per_connection, 2 * connections):
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                for subscriber in batch or ():
                    work.put(subscriber)
                    queued += 1
            if (exhausted and not queued) or not alive:
                break
            outcome = outcomes.get()
            if outcome.failure is not None:
                alive -= 1
                failures.append(outcome.failure)
                work.put(outcome.subscriber)
                continue
            log.add(outcome.subscriber.email, error=outcome.error)
            outcome.worker.acks.put(True)
            queued -= 1
            if outcome.error:
                tally.failed += 1
            else:
                tally.sent += 1
            since_progress += 1
            if progress and since_progress >= messages_per_connection:
                since_progress = 0
                progress()
    finally:
        for worker in workers:
            work.put(None)
            worker.acks.put(False)
        for worker in workers:
            worker.join()
    if progress:
        progress()
    if queued:  # no connection was left to send them
        raise failures[0]


class _Connection(threading.Thread):
    """One mail connection: takes subscribers from ``work``, composes and hands over each one's
    message, reports the outcome and waits until it is logged before the next."""

    def __init__(self, *, composer: composing.Composer, work: queue.Queue, outcomes: queue.Queue,
                 messages_per_connection: int):
        super().__init__(name="digest-connection", daemon=True)
        self.composer, self.work, self.outcomes = composer, work, outcomes
        self.messages_per_connection = messages_per_connection
        self.acks: queue.Queue = queue.Queue()
        self.sender = parseaddr(settings.EMAIL_FROM)[1]

    def run(self) -> None:
        connection, used = None, 0
        try:
            while (subscriber := self.work.get()) is not None:
                try:
                    if connection is None or used >= self.messages_per_connection:
                        _close(connection)
                        connection, used = None, 0
                        connection = get_connection()
                        connection.open()
                        # Each connection's messages carry the time it was opened as their Date.
                        self.composer.new_batch()
                    used += 1
                    error = self._send(subscriber, connection)
                except BaseException as failure:  # noqa: BLE001 (handed to the calling thread, which raises it)
                    self.outcomes.put(_Outcome(self, subscriber, failure=failure))
                    return
                self.outcomes.put(_Outcome(self, subscriber, error=error))
                if not self.acks.get():
                    return
        finally:
            _close(connection)
            # Nothing here should have used the database; if a backend or template did, its
            # connection belongs to this thread and would otherwise stay open.
            db_connections.close_all()

    def _send(self, subscriber: Subscriber, connection) -> str:
        """Hand ``subscriber``'s message over; the server's refusal of this one address, or ''."""
        # Django's SMTP backend encodes each message whole; given the bytes, its smtplib connection
        # sends them as they are. Other backends (files, the providers' APIs) take messages.
        smtp = connection.connection if isinstance(connection, SMTPBackend) else None
        section_ids = subscriber.section_ids
        raw = self.composer.raw(subscriber.email, section_ids=section_ids) if smtp else None
        try:
            if raw is None:
                self.composer.message(subscriber, section_ids=section_ids, connection=connection).send()
            else:
                _hand_over(smtp, self.sender, subscriber.email, raw)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
            # This address was refused; the server and the rest of the list are fine.
            return str(error)[:250]
        return ""


def _close(connection) -> None:
    if connection is None:
        return
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        pass  # a connection that broke has nothing left to close


def _hand_over(smtp: smtplib.SMTP, sender: str, recipient: str, raw: bytes) -> None:
    """What ``smtplib.SMTP.sendmail`` does for one plain ASCII recipient, without its parsing of
    both addresses for every message (a tenth of the sender's time)."""
    smtp.ehlo_or_helo_if_needed()
    code, answer = smtp.docmd("mail", f"FROM:<{sender}>")
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    code, answer = smtp.docmd("rcpt", f"TO:<{recipient}>")
    if code not in (250, 251):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused({recipient: (code, answer)})
    code, answer = smtp.data(raw)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPDataError(code, answer)


class _Log:
    """Writes the send log a row at a time, each in its own commit (the database is in autocommit
    here), with one prepared statement rather than a model save for every message."""

    def __init__(self, digest: Digest):
        quote = db_connection.ops.quote_name
        columns = ", ".join(quote(Delivery._meta.get_field(name).column) for name in ("digest", "email", "sent_at", "error"))
        self.sql = f"INSERT INTO {quote(Delivery._meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s)"
        self.digest_id = digest.pk

    def add(self, email: str, *, error: str = "") -> None:
        at = db_connection.ops.adapt_datetimefield_value(timezone.now())
        with db_connection.cursor() as cursor:
            cursor.execute(self.sql, [self.digest_id, email, at, error])
