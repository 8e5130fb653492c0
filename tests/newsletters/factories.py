"""Factories for newsletter tests, and a real SMTP server on loopback that keeps what it is sent."""

import contextlib
import email
import email.policy
import itertools
import threading

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from masthead.newsletters.models import Subscriber
from tests import servers

_counter = itertools.count(1)


def make_subscriber(**overrides) -> Subscriber:
    sections = overrides.pop("sections", ())
    n = next(_counter)
    subscriber = Subscriber.objects.create(**{"email": f"reader{n}@example.org", "edition": "en",
                                              "confirmed_at": timezone.now(), "source": "test", **overrides})
    subscriber.sections.set(sections)
    return subscriber


class Sink:
    """What an aiosmtpd server accepted. ``before_accept(count)`` runs before each message is
    accepted; it may return an SMTP error line to refuse it, or ``Sink.DROP`` to close the
    connection without an answer. ``refuse_connection(number)`` runs at each MAIL FROM with the
    number of its connection (0 for the first that sent one); true refuses it with 421."""

    DROP = object()

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[str] = []
        self.connections: list[int] = []  # the connection number of each accepted message
        self.lock = threading.Lock()
        self.before_accept = None
        self.refuse_connection = None
        self.refuse = set()
        self._sessions: dict[int, int] = {}
        self._kept = []  # the sessions, so that their ids stay theirs

    def _number(self, session) -> int:
        with self.lock:
            if id(session) not in self._sessions:
                self._sessions[id(session)] = len(self._sessions)
                self._kept.append(session)
            return self._sessions[id(session)]

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        number = self._number(session)
        if self.refuse_connection and self.refuse_connection(number):
            return "421 4.7.0 Too many connections from your host"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.before_accept:
                refusal = self.before_accept(len(self.messages))
                if refusal is self.DROP:
                    server.transport.close()
                    return "421 4.3.0 Connection dropped"  # never reaches the sender
                if refusal:
                    return refusal
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            self.recipients += envelope.rcpt_tos
            self.connections.append(self._sessions.get(id(session), -1))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@contextlib.contextmanager
def smtp_server():
    """A real SMTP server on 127.0.0.1; yields (sink, port)."""
    sink, port = Sink(), servers.free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, and Django's SMTP backend pointed at it."""
    with smtp_server() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        sink.port = port
        yield sink
