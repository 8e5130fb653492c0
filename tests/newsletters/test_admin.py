"""The newsroom's newsletter pages: lists, CSV exports and the digest's preview."""

import csv
import io

import pytest

from masthead.newsletters import sending
from masthead.newsletters.models import Subscriber, Suppression
from tests.news.factories import make_article
from tests.newsletters.factories import make_subscriber
from tests.newsroom.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(None, is_superuser=True))
    return client


def _export(client, url: str, ids) -> list[list[str]]:
    response = client.post(url, {"action": "export_csv", "_selected_action": [str(i) for i in ids]})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_subscribers_are_exported_with_only_what_is_kept(admin_client):
    ann = make_subscriber(email="ann@example.org", source="footer")
    sly = make_subscriber(email="=cmd|' /C calc'!A0@example.org")
    rows = _export(admin_client, "/newsroom/newsletters/subscriber/", [ann.pk, sly.pk])
    assert rows[0] == ["email", "edition", "confirmed_at", "source"]
    assert rows[1][:2] == ["ann@example.org", "en"] and rows[1][3] == "footer"
    assert rows[2][0].startswith("'=")  # a spreadsheet reads it as text, not a formula


def test_suppressions_are_listed_and_exported(admin_client):
    gone = Suppression.objects.create(email="gone@example.org", reason=Suppression.Reason.BOUNCED)
    assert b"gone@example.org" in admin_client.get("/newsroom/newsletters/suppression/").content
    assert _export(admin_client, "/newsroom/newsletters/suppression/", [gone.pk])[1][:2] == ["gone@example.org", "bounced"]


def test_each_digest_shows_its_counts_and_a_preview(admin_client, smtp):
    make_article(headline="Talks resume in Vienna")
    make_subscriber()
    smtp.refuse.add(make_subscriber().email)
    digest = sending.send(edition="en").digest
    page = admin_client.get("/newsroom/newsletters/digest/")
    assert page.status_code == 200
    assert b'<td class="field-recipients">2</td><td class="field-sent">1</td><td class="field-failed">1</td>' in page.content
    preview = admin_client.get(f"/newsroom/newsletters/digest/{digest.pk}/preview/")
    assert preview.status_code == 200 and b"Talks resume in Vienna" in preview.content
    assert "default-src 'none'" in preview["Content-Security-Policy"]


def test_the_next_digest_is_previewed_without_sending_or_storing_it(admin_client):
    make_article(headline="Tomorrow's front page")
    response = admin_client.get("/newsroom/newsletters/digest/preview/en/")
    assert response.status_code == 200 and b"Tomorrow&#39;s front page" in response.content
    assert admin_client.get("/newsroom/newsletters/digest/preview/xx/").content == b"There is no xx edition."
    assert not Subscriber.objects.exists()


def test_a_reporter_cannot_see_the_subscribers(client):
    make_subscriber()
    client.force_login(make_user("reporter"))
    assert client.get("/newsroom/newsletters/subscriber/").status_code == 403
