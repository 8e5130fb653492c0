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
import io
import random
import secrets
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from masthead.comments.models import Challenge

# Letters and digits that cannot be mistaken for one another once tilted (no 0/O/D/Q, 1/I/L/7/T,
# 2/Z, 5/S, 8/B, 6/G, U/V, C/G), each of which the library's bundled voice can say.
ALPHABET = "ACEFHJKMNPRUWXY3469"
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


# The image's size, and the clear band kept along its edges: no character touches or leaves it.
WIDTH, HEIGHT, MARGIN = 220, 80, 6
# The gap kept between characters, so none runs into the next.
GAP = 3


@lru_cache(maxsize=1)
def _fonts():
    from captcha.image import DEFAULT_FONTS
    from PIL.ImageFont import truetype

    # The library's own face (Droid Sans Mono, Apache 2.0), at three sizes.
    return [truetype(DEFAULT_FONTS[0], size) for size in (40, 46, 52)]


def _glyph(character: str, ink):
    """``character`` drawn in a random size and tilted up to 20° either way, cropped to its ink."""
    from PIL import Image as PILImage, ImageDraw

    font = secrets.choice(_fonts())
    canvas = PILImage.new("RGBA", (font.size * 2, font.size * 2))
    ImageDraw.Draw(canvas).text((font.size // 2, font.size // 3), character, font=font, fill=ink)
    tilted = canvas.rotate(secrets.randbelow(41) - 20, PILImage.Resampling.BICUBIC, expand=True)
    return tilted.crop(tilted.getbbox())


def draw_key(answer: str, *, ink, background=None, noise: bool = True):
    """The Security Key image of ``answer`` and each character's box ``(left, top, right, bottom)``.

    The characters are laid out side by side, each tilted and placed at a random height, but all
    inside the image with ``MARGIN`` pixels clear around them: the captcha library's own layout
    let characters run off the edges, so keys could not be read. Noise dots and a curve cross them.
    """
    from captcha.image import ImageCaptcha
    from PIL import Image as PILImage, ImageFilter

    background = background or tuple(238 + secrets.randbelow(18) for _ in range(3))
    glyphs = [_glyph(character, ink) for character in answer]
    room_width, room_height = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    # Smoothing spreads ink one pixel: the room left for the glyphs is one pixel less each side.
    room_width, room_height = room_width - 2, room_height - 2
    needed = sum(g.width for g in glyphs) + GAP * (len(glyphs) - 1)
    scale = min(1.0, room_width / needed, room_height / max(g.height for g in glyphs))
    if scale < 1:
        glyphs = [g.resize((max(1, int(g.width * scale)), max(1, int(g.height * scale))), PILImage.Resampling.LANCZOS)
                  for g in glyphs]
    spare = room_width - sum(g.width for g in glyphs) - GAP * (len(glyphs) - 1)
    # The room left over goes to the gaps at random, so no two keys are spaced alike.
    extra = [0] * len(glyphs)
    for _ in range(max(0, spare)):
        extra[secrets.randbelow(len(glyphs))] += 1
    image = PILImage.new("RGB", (WIDTH, HEIGHT), background)
    boxes, x = [], MARGIN + 1 + extra[0] // 2
    for glyph, after in zip(glyphs, [*extra[1:], 0]):
        y = MARGIN + 1 + secrets.randbelow(room_height - glyph.height + 1)
        image.paste(glyph, (x, y), glyph)
        boxes.append((x - 1, y - 1, x + glyph.width + 1, y + glyph.height + 1))
        x += glyph.width + GAP + after
    if noise:
        ImageCaptcha.create_noise_dots(image, ink)
        ImageCaptcha.create_noise_curve(image, ink)
    return image.filter(ImageFilter.SMOOTH), boxes


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
    image, _ = draw_key(answer_for(token), ink=ink)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def audio_wav(token: str) -> bytes:
    """The Security Key read aloud, letter by letter over noise, as WAV bytes."""
    return bytes(_audio_maker().generate(answer_for(token)))
