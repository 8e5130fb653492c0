"""When the daily digest goes out: ``MASTHEAD_DIGEST_AT`` and ``send_digest --when-due``, once a day
per edition, over a real SMTP server on loopback."""

import io
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.core.management import call_command
from django.utils import timezone

from masthead.newsletters import sending
from masthead.newsletters.models import Delivery, Digest
from tests.news.factories import make_article
from tests.newsletters.factories import make_subscriber

pytestmark = pytest.mark.django_db


def _today(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(timezone.now().date(), datetime.min.time(), tzinfo=dt_timezone.utc).replace(
        hour=hour, minute=minute)


def test_the_daily_digest_waits_for_its_hour_then_goes_once(smtp, settings):
    settings.DIGEST_AT = {"en": (6, 0), "fa": (6, 0)}
    make_article(headline="Morning news", published_at=_today(5) - timedelta(hours=1))
    make_subscriber(email="ann@example.org")
    assert sending.send_due(editions=["en"], at=_today(5, 59)) == []
    assert smtp.messages == [] and not Digest.objects.exists()

    [report] = sending.send_due(editions=["en"], at=_today(6, 0))
    assert (report.digest.edition, report.sent) == ("en", 1)
    assert smtp.recipients == ["ann@example.org"]

    make_subscriber(email="late@example.org")  # confirmed after today's digest went out
    assert sending.send_due(editions=["en"], at=_today(6, 5)) == []
    assert sending.send_due(editions=["en"], at=_today(23, 59)) == []
    assert smtp.recipients == ["ann@example.org"]
    assert Digest.objects.get().finished_at is not None


def test_each_edition_goes_at_its_own_hour(smtp, settings):
    settings.DIGEST_AT = {"en": (6, 0), "fa": (9, 30)}
    make_article(published_at=_today(5))
    make_article(language="fa", headline="خبر روز", published_at=_today(5))
    make_subscriber(email="en@example.org")
    make_subscriber(email="fa@example.org", edition="fa")
    assert [r.digest.edition for r in sending.send_due(at=_today(7))] == ["en"]
    assert [r.digest.edition for r in sending.send_due(at=_today(9, 29))] == []
    assert [r.digest.edition for r in sending.send_due(at=_today(9, 30))] == ["fa"]
    assert sorted(smtp.recipients) == ["en@example.org", "fa@example.org"]


def test_a_due_send_that_stopped_is_finished_by_the_next_run(smtp, settings):
    """A send cut short (its process killed) is resumed by the next timer run, to the rest only."""
    settings.DIGEST_AT = {"en": (6, 0), "fa": (6, 0)}
    make_article(published_at=_today(5))
    make_subscriber(email="done@example.org")
    make_subscriber(email="rest@example.org")
    digest = sending.digest_for(edition="en", at=_today(6))
    Delivery.objects.create(digest=digest, email="done@example.org")  # what the killed run logged
    [report] = sending.send_due(editions=["en"], at=_today(6, 5))
    assert (report.sent, report.skipped) == (1, 1)
    assert smtp.recipients == ["rest@example.org"]


def test_a_day_without_stories_is_over_at_the_first_run(smtp, settings):
    """No stories: nothing is sent, and the later runs of that day do not compose it again."""
    settings.DIGEST_AT = {"en": (6, 0), "fa": (6, 0)}
    make_subscriber()
    out = io.StringIO()
    call_command("send_digest", "--when-due", "--edition", "en", stdout=out)
    assert smtp.messages == []
    if timezone.now() >= _today(6):
        assert "No stories for the en digest" in out.getvalue()
        assert Digest.objects.get().finished_at is not None
        again = io.StringIO()
        call_command("send_digest", "--when-due", "--edition", "en", stdout=again)
        assert again.getvalue() == "Nothing is due.\n"
    else:
        assert out.getvalue() == "Nothing is due.\n"


def test_when_due_does_not_go_with_a_dry_run():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--when-due sends what is due: it does not go with --dry-run or --digest."):
        call_command("send_digest", "--when-due", "--dry-run")


@pytest.mark.parametrize("value, message", [
    ("6", "MASTHEAD_DIGEST_AT='6': '6' is not a time of day like 06:00 (24-hour GMT)"),
    ("en=06:00,fa=24:10", "MASTHEAD_DIGEST_AT='en=06:00,fa=24:10': '24:10' is not a time of day like 06:00"),
    ("de=07:00", "MASTHEAD_DIGEST_AT='de=07:00': there is no edition 'de'; the editions are en, fa"),
])
def test_a_wrong_digest_time_stops_the_start_naming_the_variable(value, message):
    run = subprocess.run([sys.executable, "-c", "import masthead.settings"], capture_output=True, text=True,
                         env={**os.environ, "MASTHEAD_DIGEST_AT": value}, timeout=60)
    assert run.returncode == 1 and message in run.stderr


def test_a_time_per_edition_leaves_the_others_at_six():
    run = subprocess.run([sys.executable, "-c", "from masthead import settings; print(settings.DIGEST_AT)"],
                         capture_output=True, text=True, env={**os.environ, "MASTHEAD_DIGEST_AT": "fa = 02:30"},
                         timeout=60)
    assert run.stdout.strip() == "{'en': (6, 0), 'fa': (2, 30)}", run.stderr
