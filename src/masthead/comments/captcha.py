"""The Security Key: an image (and audio) challenge made on our own server, single-use and bound to one article.

Why the ``captcha`` library: it only draws (Pillow) and speaks (its own bundled voice samples,
no text-to-speech binary), keeps no state and has no Django coupling, so storage, expiry,
single use and throttling stay ours. django-simple-captcha keeps the plain answer in its own
table and needs ``flite`` for audio.

A challenge is a random token. The database keeps only ``HMAC(SECRET_KEY, token)``; the answer
is ``HMAC(SECRET_KEY, "answer" | token)`` mapped onto ``ALPHABET``, so it is never stored at all
and only this server can compute it. The reader's browser holds the token in an HttpOnly,
SameSite=Strict cookie scoped to the article's ``/comments/<News ID>/`` path, so the cached
article page carries nothing per reader.
"""

import enum
import hashlib
import hmac
import random
import secrets
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from masthead.comments.models import Challenge

# Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, 2/Z, 5/S, 8/B),
# each of which the library's bundled voice can say.
ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
LENGTH = 5
COOKIE = "masthead_key"
# One expired-row sweep for about every this many issued keys keeps the table small without a cron.
SWEEP_EVERY = 200


class Verdict(enum.Enum):
    OK = "ok"
    MISSING = "missing"       # no key sent, or an empty answer
    EXPIRED = "expired"       # expired, already used, or never issued
    WRONG_FORM = "wrong-form"  # issued for another article
    WRONG = "wrong"           # the answer does not match


def _mac(purpose: str, token: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), f"masthead.comments.{purpose}|{token}".encode(), hashlib.sha256).digest()


def token_hash(token: str) -> str:
    return _mac("token", token).hex()


def answer_for(token: str) -> str:
    """The characters the image for ``token`` shows: computable only with SECRET_KEY, stored nowhere."""
    digest = _mac("answer", token)
    return "".join(ALPHABET[byte % len(ALPHABET)] for byte in digest[:LENGTH])


def normalise(typed: str) -> str:
    """What a reader typed, as compared: case and spaces do not count."""
    return "".join(typed.split()).upper()[: LENGTH * 4]


def issue(*, article_id: int) -> str:
    """Create a new Security Key for the article's comment form; return its token (for the reader's cookie)."""
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    Challenge.objects.create(token_hash=token_hash(token), article_id=article_id, created_at=now,
                             expires_at=now + timedelta(seconds=settings.CAPTCHA_SECONDS))
    if random.randrange(SWEEP_EVERY) == 0:
        sweep()
    return token


def sweep() -> int:
    """Delete expired keys; return how many."""
    return Challenge.objects.filter(expires_at__lte=timezone.now()).delete()[0]


def current(token: str | None, *, article_id: int) -> bool:
    """Whether ``token`` is an unused, unexpired key for this article (its image may be drawn)."""
    return bool(token) and Challenge.objects.filter(
        token_hash=token_hash(token), article_id=article_id, expires_at__gt=timezone.now()).exists()


def consume(token: str | None, typed: str, *, article_id: int) -> Verdict:
    """Check a reader's answer. The key is used up whatever the outcome: one guess per image."""
    if not token:
        return Verdict.MISSING
    with transaction.atomic():
        found = Challenge.objects.filter(token_hash=token_hash(token)).values("pk", "article_id", "expires_at").first()
        # Deleting, and counting the deleted row, is what makes the key single-use between
        # concurrent requests: only one of them deletes it.
        if found is None or Challenge.objects.filter(pk=found["pk"]).delete()[0] != 1:
            return Verdict.EXPIRED
    if found["article_id"] != article_id:
        return Verdict.WRONG_FORM
    if found["expires_at"] <= timezone.now():
        return Verdict.EXPIRED
    if not typed.strip():
        return Verdict.MISSING
    return Verdict.OK if hmac.compare_digest(normalise(typed), answer_for(token)) else Verdict.WRONG


@lru_cache(maxsize=1)
def _image_maker():
    from captcha.image import ImageCaptcha

    return ImageCaptcha(width=220, height=80)


@lru_cache(maxsize=1)
def _audio_maker():
    from captcha.audio import AudioCaptcha

    return AudioCaptcha()


def image_png(token: str) -> bytes:
    """The Security Key image for ``token``, as PNG bytes: dark characters on a light ground.

    The library picks text colours up to (200, 200, 200), which can fall below 3:1 contrast on its
    light backgrounds (238-255); channels of at most 90 keep the ink near 6:1 at worst, above
    WCAG's 4.5:1.
    """
    ink = (*(10 + secrets.randbelow(81) for _ in range(3)), 255)
    return _image_maker().generate(answer_for(token), format="png", fg_color=ink).getvalue()


def audio_wav(token: str) -> bytes:
    """The Security Key read aloud, letter by letter over noise, as WAV bytes."""
    return bytes(_audio_maker().generate(answer_for(token)))
