"""Joining at /newsletter/: double opt-in over a real SMTP server, no list probing, rate limits."""

import re
import time

import pytest
from django.test import Client

from masthead.newsletters import subscriptions
from masthead.newsletters.models import Subscriber, Suppression
from tests.news.factories import make_section
from tests.newsletters.factories import make_subscriber

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    body = message.get_content()
    return re.search(r"http://[^\s]+/newsletter/confirm/[^\s]+/", body).group(0).split("/newsletter", 1)[1]


def _subscribe(client, email="ann@example.org", **fields):
    return client.post("/newsletter/subscribe/", {"email": email, "source": "/newsletter/", **fields})


def test_the_form_page_carries_nothing_per_reader_and_is_cached(client):
    """No CSRF token, no cookie: the page is shared from the page cache like any other."""
    first = client.get("/newsletter/")
    assert first.status_code == 200
    assert b"csrfmiddlewaretoken" not in first.content and not first.cookies
    assert "newsletter" in first["Surrogate-Key"]
    assert b'action="/newsletter/subscribe/"' in first.content
    home = client.get("/")
    assert b'action="/newsletter/subscribe/"' in home.content  # the footer's form, on every page


def test_subscribing_sends_a_link_and_stores_nothing_until_it_is_confirmed(smtp):
    client = Client(enforce_csrf_checks=True)  # the form's POST works from a cached page, without a token
    section = make_section(name="Sport")
    response = _subscribe(client, sections=[section.pk])
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    assert Subscriber.objects.count() == 0
    [message] = smtp.to("ann@example.org")
    assert "Confirm your subscription" in message["Subject"]
    link = "/newsletter" + _link(message)
    shown = client.get(link)  # a mail scanner opening the link confirms nothing
    assert shown.status_code == 200 and b"<form method=\"post\">" in shown.content
    assert Subscriber.objects.count() == 0
    confirmed = client.post(link)
    assert confirmed.status_code == 200 and b"You are subscribed" in confirmed.content
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.edition, subscriber.source) == ("ann@example.org", "en", "/newsletter/")
    assert list(subscriber.sections.all()) == [section]
    assert {f.name for f in Subscriber._meta.concrete_fields} == {"id", "email", "edition", "confirmed_at", "source"}


def test_a_confirmation_link_works_once(smtp, client):
    _subscribe(client)
    link = "/newsletter" + _link(smtp.messages[0])
    assert client.post(link).status_code == 200
    again = client.post(link)
    assert again.status_code == 400
    assert b"This confirmation link has already been used." in again.content
    assert Subscriber.objects.count() == 1


def test_an_expired_link_is_refused(client, settings):
    settings.NEWSLETTER_CONFIRM_SECONDS = 60
    asked = subscriptions.Request("ann@example.org", "en", (), "test")
    token = subscriptions.confirmation_token(asked, at=time.time() - 61)
    response = client.post(f"/newsletter/confirm/{token}/")
    assert response.status_code == 400
    assert b"This confirmation link has expired: subscribe again from the form." in response.content
    assert Subscriber.objects.count() == 0


def test_a_forged_link_is_refused(client):
    token = subscriptions.confirmation_token(subscriptions.Request("ann@example.org", "en", (), "test"))
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.post(f"/newsletter/confirm/{forged}/")
    assert response.status_code == 400
    assert b"This confirmation link is not one we sent" in response.content
    assert Subscriber.objects.count() == 0


def test_a_link_from_before_leaving_cannot_bring_the_address_back(smtp, client):
    _subscribe(client)
    link = "/newsletter" + _link(smtp.messages[0])
    subscriptions.unsubscribe(subscriptions.unsubscribe_token("ann@example.org"))
    response = client.post(link)
    assert response.status_code == 400
    assert b"already been used" in response.content
    assert Subscriber.objects.count() == 0


def test_the_answer_is_the_same_whether_or_not_the_address_is_subscribed(smtp, client):
    """No list probing: a subscribed, a suppressed and a new address get the same page."""
    make_subscriber(email="known@example.org")
    Suppression.objects.create(email="bounced@example.org", reason=Suppression.Reason.BOUNCED)
    pages = [_subscribe(client, email=address) for address in ("known@example.org", "bounced@example.org",
                                                                "new@example.org")]
    assert {p.status_code for p in pages} == {200}
    assert len({re.sub(rb"Generated in [0-9.]+", b"", p.content.replace(address.encode(), b"")) for p, address in
                zip(pages, ("known@example.org", "bounced@example.org", "new@example.org"))}) == 1
    assert smtp.to("bounced@example.org") == []  # a bounced address is not mailed again


def test_a_bad_address_is_refused_naming_the_field(client):
    response = _subscribe(client, email="not an address")
    assert response.status_code == 400
    assert b"not an address is not an email address." in response.content
    assert b'aria-invalid="true"' in response.content


def test_an_unknown_edition_is_refused(client):
    response = _subscribe(client, edition="xx")
    assert response.status_code == 400
    assert b"There is no xx edition." in response.content


def test_one_mailbox_gets_a_bounded_number_of_confirmations(smtp, client, settings):
    settings.NEWSLETTER_RATE_PER_RECIPIENT = "2/3600"
    answers = [_subscribe(client, email="victim@example.org") for _ in range(4)]
    assert {a.status_code for a in answers} == {200}
    assert len(smtp.to("victim@example.org")) == 2


def test_one_address_may_ask_only_so_often(smtp, client, settings):
    settings.NEWSLETTER_RATE_PER_IP = "3/3600"
    codes = [_subscribe(client, email=f"r{n}@example.org").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = _subscribe(client, email="r9@example.org")
    assert b"Too many subscriptions from your address" in refused.content
    assert int(refused["Retry-After"]) > 0
    assert len(smtp.messages) == 3


def test_a_mail_server_that_is_down_is_said_plainly_and_nothing_is_stored(client, settings):
    from tests import servers

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", servers.free_port()  # nothing listens there
    response = _subscribe(client)
    assert response.status_code == 503
    assert b"We could not send the confirmation just now: try again in a few minutes." in response.content
    assert Subscriber.objects.count() == 0
