"""The digest over a real SMTP server: its content and headers, leaving, and resuming after a kill."""

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from masthead.newsletters import sending
from masthead.newsletters.models import Delivery, Digest, Pick, Subscriber, Suppression
from tests.media.factories import make_image
from tests.news.factories import make_article, make_section
from tests.newsletters.factories import make_subscriber

pytestmark = pytest.mark.django_db


def _parts(message) -> tuple[str, str]:
    return (message.get_body(preferencelist=("plain",)).get_content(),
            message.get_body(preferencelist=("html",)).get_content())


def test_the_digest_carries_the_days_stories_as_html_and_text(smtp, settings):
    settings.SITE_NAME, settings.PAPER_ADDRESS = "Iran Daily", "208 Khorramshahr St, Tehran"
    picture = make_image(alt="Tehran at dawn")
    story = make_article(headline="Talks resume in Vienna", summary="Delegates meet again on Monday.",
                         lead_image=picture)
    make_article(headline="An old story", published_at=timezone.now() - timedelta(days=2))
    make_subscriber(email="ann@example.org")
    report = sending.send(edition="en")
    assert (report.sent, report.failed) == (1, 0)
    [message] = smtp.to("ann@example.org")
    assert message["Subject"].startswith("Iran Daily: the day's news, ")
    text, html = _parts(message)
    for part in (text, html):
        assert "Talks resume in Vienna" in part and "Delegates meet again on Monday." in part
        assert settings.SITE_URL + story.get_absolute_url() in part
        assert "208 Khorramshahr St, Tehran" in part
        assert "An old story" not in part
    assert f'src="{settings.SITE_URL}/media/imgcache/{picture.pk}/650x365.jpg"' in html
    assert 'alt="Tehran at dawn"' in html
    assert "<table" in html and 'style="' in html and "<script" not in html.lower()
    assert 'name="color-scheme" content="light dark"' in html


def test_every_digest_offers_one_click_unsubscribe(smtp, settings):
    """RFC 8058: an https and a mailto List-Unsubscribe, and List-Unsubscribe-Post."""
    settings.EMAIL_FROM = "Iran Daily <digest@iran-daily.example>"
    make_article()
    make_subscriber(email="ann@example.org")
    sending.send(edition="en")
    [message] = smtp.messages
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = [part.strip(" <>") for part in message["List-Unsubscribe"].split(",")]
    assert https.startswith(settings.SITE_URL + "/newsletter/unsubscribe/")
    assert mailto.startswith("mailto:digest@iran-daily.example?subject=unsubscribe%20")
    text, html = _parts(message)
    assert https in text and f'href="{https}"' in html  # the visible link in the footer

    one_click = Client(enforce_csrf_checks=True)  # no cookies, no sign-in, no CSRF token
    answer = one_click.post(https.removeprefix(settings.SITE_URL), {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and answer.content == b"Unsubscribed."
    assert not Subscriber.objects.exists()
    assert Suppression.objects.get().reason == "unsubscribed"


def test_the_footer_link_asks_before_it_unsubscribes(smtp, settings):
    make_article()
    make_subscriber(email="ann@example.org")
    sending.send(edition="en")
    link = smtp.messages[0]["List-Unsubscribe"].split(",")[0].strip(" <>").removeprefix(settings.SITE_URL)
    client = Client()
    page = client.get(link)
    assert page.status_code == 200 and b"Stop sending me the newsletter" in page.content
    assert Subscriber.objects.count() == 1
    done = client.post(link)
    assert b"ann@example.org will receive no more newsletters from us." in done.content
    assert Subscriber.objects.count() == 0
    forged = client.post(link[:-4] + "xyz/")
    assert forged.status_code == 400 and b"This unsubscribe link is not one we sent" in forged.content


def test_editors_picks_come_before_the_newest_stories(smtp):
    newest = make_article(headline="Newest story")
    picked = make_article(headline="Picked story", published_at=timezone.now() - timedelta(hours=5))
    Pick.objects.create(day=timezone.localdate(), edition="en", article=picked, position=1)
    make_subscriber()
    sending.send(edition="en")
    text, _html = _parts(smtp.messages[0])
    assert "Picked story" in text and newest.headline not in text


def test_a_reader_of_some_sections_gets_their_stories(smtp):
    sport, politics = make_section(name="Sport"), make_section(name="Politics")
    make_article(headline="Cup final tonight", section=sport)
    make_article(headline="Cabinet reshuffle", section=politics)
    make_subscriber(email="fan@example.org", sections=[sport])
    make_subscriber(email="all@example.org")
    sending.send(edition="en")
    fan, _ = _parts(smtp.to("fan@example.org")[0])
    everyone, _ = _parts(smtp.to("all@example.org")[0])
    assert "Cup final tonight" in fan and "Cabinet reshuffle" not in fan
    assert "Cup final tonight" in everyone and "Cabinet reshuffle" in everyone


def test_suppressed_and_other_edition_addresses_get_nothing(smtp):
    make_article()
    make_subscriber(email="ann@example.org")
    make_subscriber(email="bounced@example.org")
    make_subscriber(email="fa@example.org", edition="fa")
    Suppression.objects.create(email="bounced@example.org", reason=Suppression.Reason.BOUNCED)
    sending.send(edition="en")
    assert smtp.recipients == ["ann@example.org"]


def test_a_refused_recipient_is_logged_and_the_rest_are_sent(smtp):
    make_article()
    for address in ("a@example.org", "gone@example.org", "c@example.org"):
        make_subscriber(email=address)
    smtp.refuse.add("gone@example.org")
    report = sending.send(edition="en")
    assert (report.sent, report.failed) == (2, 1)
    assert sorted(smtp.recipients) == ["a@example.org", "c@example.org"]
    digest = Digest.objects.get()
    assert (digest.recipients, digest.sent, digest.failed) == (3, 2, 1)
    assert "No such mailbox" in Delivery.objects.get(email="gone@example.org").error


def test_a_dry_run_sends_and_logs_nothing(smtp):
    make_article()
    make_subscriber()
    call_command("send_digest", "--dry-run", stdout=(out := __import__("io").StringIO()))
    assert "would send 1" in out.getvalue()
    assert smtp.messages == [] and not Digest.objects.exists() and not Delivery.objects.exists()


def test_a_second_run_the_same_day_sends_nothing(smtp):
    make_article()
    make_subscriber()
    sending.send(edition="en")
    report = sending.send(edition="en")
    assert (report.sent, report.skipped) == (0, 1)
    assert len(smtp.messages) == 1


def test_an_unknown_edition_is_refused_by_name():
    with pytest.raises(Exception, match="There is no edition 'xx': choose one of en, fa."):
        call_command("send_digest", "--edition", "xx")


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_send_killed_half_way_resumes_and_reaches_everyone_exactly_once(smtp):
    """Over one connection the sender is killed by SIGKILL while handing over the 13th message;
    run again, it sends the other 28 and no address gets the digest twice."""
    make_article()
    addresses = [make_subscriber(email=f"reader{n:02}@example.org").email for n in range(40)]
    env = {**os.environ, "MASTHEAD_DATABASE_URL": _database_url(),
           "MASTHEAD_EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}"}
    sender = subprocess.Popen([sys.executable, "-m", "masthead.cli", "send_digest", "--batch-size", "5", "--connections", "1"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def kill_at_the_thirteenth(accepted: int):
        if accepted == 12:
            os.kill(sender.pid, signal.SIGKILL)
            return "421 4.3.0 Going away"
        return None

    smtp.before_accept = kill_at_the_thirteenth
    sender.communicate(timeout=120)
    assert sender.returncode == -signal.SIGKILL
    assert len(smtp.messages) == 12 and Delivery.objects.count() == 12

    smtp.before_accept = None
    again = subprocess.run([sys.executable, "-m", "masthead.cli", "send_digest", "--batch-size", "5", "--connections", "1"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "sent 28, failed 0, already sent 12." in again.stdout
    assert sorted(smtp.recipients) == sorted(addresses)  # each exactly once
    digest = Digest.objects.get()
    assert (digest.recipients, digest.sent, digest.failed) == (40, 40, 0) and digest.finished_at


def test_a_mail_server_that_is_down_stops_the_send_with_a_message(settings):
    from django.core.management.base import CommandError

    from tests import servers

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", servers.free_port()
    make_article()
    make_subscriber()
    with pytest.raises(CommandError, match="The mail server stopped the send .*run the command again to send the rest."):
        call_command("send_digest")
    assert not Delivery.objects.exists()
