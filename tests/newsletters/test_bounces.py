"""Bounces and complaints from the mail provider's webhook (anymail) suppress the address."""

import base64
import json

import pytest

from masthead.newsletters import sending
from masthead.newsletters.models import Subscriber, Suppression
from tests.news.factories import make_article
from tests.newsletters.factories import make_subscriber

pytestmark = pytest.mark.django_db

URL = "/newsletter/postmark/tracking/"


def _auth(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def _bounce(email: str, kind: str = "HardBounce") -> str:
    # The shape of Postmark's bounce webhook: https://postmarkapp.com/developer/webhooks/bounce-webhook
    return json.dumps({"RecordType": "Bounce", "Type": kind, "TypeCode": 1, "MessageID": "8af2-…",
                       "Email": email, "BouncedAt": "2026-12-02T06:00:10Z", "Description": "Unknown user",
                       "Details": "smtp;550 5.1.1 unknown", "MessageStream": "broadcast"})


@pytest.fixture
def secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:s3cret-of-the-paper"}
    return "postmark:s3cret-of-the-paper"


def test_a_hard_bounce_suppresses_the_address_and_the_next_digest_skips_it(client, secret, smtp):
    make_subscriber(email="gone@example.org")
    make_subscriber(email="ann@example.org")
    response = client.post(URL, _bounce("gone@example.org"), content_type="application/json", **_auth(secret))
    assert response.status_code == 200
    assert Suppression.objects.get().reason == "bounced"
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["ann@example.org"]
    make_article()
    sending.send(edition="en")
    assert smtp.recipients == ["ann@example.org"]


def test_a_complaint_suppresses_the_address(client, secret):
    make_subscriber(email="angry@example.org")
    payload = json.dumps({"RecordType": "SpamComplaint", "Type": "SpamComplaint", "Email": "angry@example.org",
                          "MessageID": "1", "BouncedAt": "2026-12-02T06:00:10Z", "MessageStream": "broadcast"})
    assert client.post(URL, payload, content_type="application/json", **_auth(secret)).status_code == 200
    assert Suppression.objects.get(email="angry@example.org").reason == "complained"


def test_a_webhook_with_the_wrong_secret_changes_nothing(client, secret):
    make_subscriber(email="ann@example.org")
    response = client.post(URL, _bounce("ann@example.org"), content_type="application/json",
                           **_auth("postmark:guess"))
    assert response.status_code == 400
    assert Subscriber.objects.count() == 1 and not Suppression.objects.exists()


def test_without_a_secret_the_webhooks_are_not_there(client, settings):
    settings.ANYMAIL = {}
    make_subscriber(email="ann@example.org")
    response = client.post(URL, _bounce("ann@example.org"), content_type="application/json")
    assert response.status_code == 404
    assert Subscriber.objects.count() == 1
