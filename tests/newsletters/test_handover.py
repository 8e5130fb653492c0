"""The digest over several SMTP connections at once, against a real aiosmtpd server on loopback:
each address once, through refused and dropped connections, kills and resumes."""

import io
import os
import re
import signal
import subprocess
import sys
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from masthead.newsletters import sending
from masthead.newsletters.models import Delivery, Digest
from tests.news.factories import make_article
from tests.newsletters.factories import make_subscriber
from tests.newsletters.test_sending import _database_url

pytestmark = pytest.mark.django_db


def _subscribers(count: int) -> list[str]:
    make_article()
    return [make_subscriber(email=f"reader{n:02}@example.org").email for n in range(count)]


def test_several_connections_deliver_each_address_once(smtp):
    """Three connections at once share the list: every address gets one message, and each
    connection carries some of them."""
    addresses = _subscribers(30)
    report = sending.send(edition="en", connections=3)
    assert (report.sent, report.failed, report.skipped) == (30, 0, 0)
    assert sorted(smtp.recipients) == addresses
    assert sorted(set(smtp.connections)) == [0, 1, 2]
    assert Delivery.objects.filter(error="").count() == 30
    digest = Digest.objects.get()
    assert (digest.recipients, digest.sent, digest.failed) == (30, 30, 0) and digest.finished_at


def test_a_connection_the_server_refuses_loses_and_doubles_no_one(smtp):
    """A server that refuses the second connection (421, as one limiting connections per host
    does): its message goes over the others, and everyone gets the digest once."""
    addresses = _subscribers(30)
    smtp.refuse_connection = lambda number: number == 1
    report = sending.send(edition="en", connections=3)
    assert (report.sent, report.failed) == (30, 0)
    assert sorted(smtp.recipients) == addresses
    assert 1 not in smtp.connections
    assert sorted(Delivery.objects.values_list("email", flat=True)) == addresses


def test_a_connection_dropped_mid_message_loses_and_doubles_no_one(smtp):
    """The server closes a connection instead of answering the sixth message's DATA: that
    message was not taken, so another connection sends it, and everyone gets the digest once."""
    addresses = _subscribers(30)
    dropped = []

    def drop_the_sixth(accepted: int):
        if accepted == 5 and not dropped:
            dropped.append(accepted)
            return smtp.DROP
        return None

    smtp.before_accept = drop_the_sixth
    report = sending.send(edition="en", connections=3)
    assert dropped and (report.sent, report.failed) == (30, 0)
    assert sorted(smtp.recipients) == addresses
    assert Delivery.objects.count() == 30


def test_when_every_connection_fails_the_send_stops_and_a_second_run_sends_the_rest(smtp):
    """After seven messages the server drops every connection: the send stops saying so, the
    seven are logged, and the next run sends the other 23 and no one twice."""
    addresses = _subscribers(30)
    smtp.before_accept = lambda accepted: smtp.DROP if accepted >= 7 else None
    with pytest.raises(CommandError, match=r"The mail server stopped the send \(.*\)\. What was sent is logged: "
                                           r"run the command again to send the rest\."):
        call_command("send_digest", "--connections", "2", stdout=io.StringIO())
    assert len(smtp.recipients) == 7
    assert sorted(Delivery.objects.values_list("email", flat=True)) == sorted(smtp.recipients)

    smtp.before_accept = None
    call_command("send_digest", "--connections", "2", stdout=(out := io.StringIO()))
    assert "sent 23, failed 0, already sent 7." in out.getvalue()
    assert sorted(smtp.recipients) == addresses


def test_a_refused_address_is_logged_once_over_several_connections(smtp):
    addresses = _subscribers(12)
    smtp.refuse.add(addresses[4])
    report = sending.send(edition="en", connections=3)
    assert (report.sent, report.failed) == (11, 1)
    assert "No such mailbox" in Delivery.objects.get(email=addresses[4]).error
    assert sorted(smtp.recipients) == addresses[:4] + addresses[5:]


def test_progress_counts_up_to_every_subscriber_over_several_connections(smtp):
    """With -v 2 each progress line counts what is done so far, never going back, and the last
    one counts everyone."""
    _subscribers(30)
    call_command("send_digest", "--connections", "3", "--batch-size", "4", verbosity=2,
                 stdout=io.StringIO(), stderr=(err := io.StringIO()))
    done = [int(m.group(1)) for m in re.finditer(r"^(\d+)/30 \(\d+ messages/s\)$", err.getvalue(), re.M)]
    assert len(done) >= 5 and done == sorted(done) and done[-1] == 30


def test_fewer_than_one_connection_is_refused_by_name():
    with pytest.raises(CommandError, match=r"--connections must be 1 or more, not 0\."):
        call_command("send_digest", "--connections", "0")


@pytest.mark.django_db(transaction=True)
def test_a_send_over_three_connections_killed_half_way_repeats_at_most_one_message_each(smtp):
    """SIGKILL while the 13th message is handed over: the server has taken some messages the log
    does not hold yet, at most one per connection; the resumed run sends everyone else once
    and those again, and no one a third time."""
    addresses = _subscribers(40)
    env = {**os.environ, "MASTHEAD_DATABASE_URL": _database_url(),
           "MASTHEAD_EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}"}
    command = [sys.executable, "-m", "masthead.cli", "send_digest", "--batch-size", "5", "--connections", "3"]
    sender = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = []

    def kill_at_the_thirteenth(accepted: int):
        if accepted >= 12:
            if not killed:
                os.kill(sender.pid, signal.SIGKILL)
                killed.append(accepted)
            return "421 4.3.0 Going away"
        return None

    smtp.before_accept = kill_at_the_thirteenth
    sender.communicate(timeout=120)
    assert sender.returncode == -signal.SIGKILL
    taken, logged = set(smtp.recipients), set(Delivery.objects.values_list("email", flat=True))
    in_flight = taken - logged
    assert len(taken) == 12 and logged <= taken and len(in_flight) <= 3

    smtp.before_accept = None
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"sent {40 - len(logged)}, failed 0, already sent {len(logged)}." in again.stdout
    counts = Counter(smtp.recipients)
    assert sorted(counts) == addresses
    assert {address for address, count in counts.items() if count == 2} == in_flight
    assert max(counts.values()) <= 2
    digest = Digest.objects.get()
    assert (digest.recipients, digest.sent, digest.failed) == (40, 40, 0) and digest.finished_at


@pytest.mark.parametrize("value", ["0", "two", "-3"])
def test_a_wrong_number_of_connections_stops_the_start_naming_the_variable(value):
    run = subprocess.run([sys.executable, "-c", "import masthead.settings"], capture_output=True, text=True,
                         env={**os.environ, "MASTHEAD_DIGEST_CONNECTIONS": value}, timeout=60)
    assert run.returncode == 1
    assert (f"MASTHEAD_DIGEST_CONNECTIONS={value!r} is not a number of connections (a whole number, 1 or more)."
            in run.stderr)


def test_the_number_of_connections_comes_from_the_setting():
    run = subprocess.run([sys.executable, "-c", "from masthead import settings; print(settings.DIGEST_CONNECTIONS)"],
                         capture_output=True, text=True, env={**os.environ, "MASTHEAD_DIGEST_CONNECTIONS": " 6 "},
                         timeout=60)
    assert run.stdout.strip() == "6", run.stderr
