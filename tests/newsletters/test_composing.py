"""Each reader's message is the digest's bytes composed once, with that reader's address, link and
Message-ID put in: the same message, header for header and byte for byte of its bodies, as one
composed whole."""

import email
import email.policy
from urllib.parse import quote

import pytest
from django.core import signing

from masthead.newsletters import composing, sending, subscriptions
from tests.news.factories import make_article, make_section
from tests.newsletters.factories import make_subscriber

pytestmark = pytest.mark.django_db


def _parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def _token(message) -> str:
    return message["List-Unsubscribe"].split("/unsubscribe/")[1].split("/")[0]


def _same(fast, whole, address: str) -> None:
    """Equal but for the Date, the MIME boundary (each composition draws its own) and the second
    in the unsubscribe tokens, which both sign ``address``."""
    tokens = _token(fast), _token(whole)
    assert [signing.loads(t, salt=subscriptions.LEAVE_SALT) for t in tokens] == [address.lower()] * 2

    def same_token(text: str) -> str:
        return text.replace(tokens[1], tokens[0]).replace(quote(tokens[1]), quote(tokens[0]))

    assert [(k, str(v)) for k, v in fast.items() if k not in ("Date", "Content-Type")] == \
        [(k, same_token(str(v))) for k, v in whole.items() if k not in ("Date", "Content-Type")]
    assert fast.get_content_type() == whole.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        assert fast.get_body(preferencelist=(kind,)).get_content() == \
            same_token(whole.get_body(preferencelist=(kind,)).get_content())


@pytest.mark.parametrize("address", ["ann@example.org", "a.very.long.name." * 12 + "x@example.org",
                                     "o'brien+news@example.org"])
def test_a_readers_bytes_are_the_message_composed_whole(address, settings):
    settings.SITE_NAME, settings.PAPER_ADDRESS = "Iran Daily", "208 Khorramshahr St, Tehran"
    sport = make_section(name="Sport")
    make_article(headline="Cup final tonight", section=sport, summary="Long summary. " * 40)
    make_article(headline="Cabinet reshuffle")
    subscriber = make_subscriber(email=address, sections=[sport])
    composer = composing.Composer(sending.digest_for(edition="en", at=subscriber.confirmed_at))
    for sections in (frozenset(), frozenset([sport.pk])):
        raw = composer.raw(address, section_ids=sections)
        assert raw is not None and b"mark" not in raw
        whole = composer.message(subscriber, section_ids=sections).message().as_bytes(linesep="\r\n")
        _same(_parsed(raw), _parsed(whole), address)


def test_a_persian_digest_is_put_together_the_same_way(settings):
    story = make_article(language="fa", headline="ظریف: نیروهای خارجی باید منطقه را ترک کنند",
                         summary="دیدار وزیران خارجه در تهران. " * 30)
    subscriber = make_subscriber(email="reader@example.ir", edition="fa")
    composer = composing.Composer(sending.digest_for(edition="fa", at=story.published_at))
    raw = composer.raw(subscriber.email)
    assert raw is not None
    _same(_parsed(raw), _parsed(composer.message(subscriber).message().as_bytes(linesep="\r\n")), subscriber.email)


def test_an_address_that_is_not_ascii_is_composed_whole():
    make_article()
    subscriber = make_subscriber(email="rené@exämple.org")
    composer = composing.Composer(sending.digest_for(edition="en", at=subscriber.confirmed_at))
    assert composer.raw(subscriber.email) is None
    assert composer.message(subscriber).message()["To"] == "=?utf-8?b?cmVuw6k=?=@xn--exmple-cua.org"  # as Django writes it
