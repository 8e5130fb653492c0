"""Pictures for sharing: a story's lead image at the shapes search engines and link previews ask for,
or, for a story without one, a card showing the paper's name and the headline.

A card is drawn with Pillow on its first request and kept on disk like a rendition. Its address
holds a digest of the name and headline it shows, so a changed headline is a new address (the
article page, purged on every save, names it) and the old card files are removed when the new
one is drawn.
"""

import hashlib
import unicodedata
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from PIL import Image as PILImage, ImageDraw, ImageFont

from masthead import characters
from masthead.media import renditions
from masthead.news.addresses import address
from masthead.news.models import Article

BACKGROUND, NAME_COLOUR, HEADLINE_COLOUR = "#14213d", "#fca311", "#ffffff"
# Fonts tried in turn (DejaVu carries Persian as well as Latin letters); Pillow's own font else.
FONTS = ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def share_images(article: Article) -> list[tuple[str, int, int]]:
    """``(path, width, height)`` of the story's share picture at 16:9, 4:3 and 1:1, in that order."""
    if article.lead_image_id:
        # Cut around the editor's focal point, as the page's own picture is; the article page reads
        # the image with the story, so this costs no query there.
        return [(article.lead_image.rendition_url(w, h, focused=True), w, h) for w, h in renditions.SHARE_SIZES]
    key = digest(article.headline)
    return [(address("syndication:share-card", article.pk, key, w, h), w, h) for w, h in renditions.SHARE_SIZES]


def digest(headline: str) -> str:
    """A short digest of what a card shows: the paper's name and ``headline``."""
    return hashlib.sha256(f"{settings.SITE_NAME}\n{characters.strip(headline)}".encode()).hexdigest()[:16]


def card_path(news_id: int, key: str, width: int, height: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "cards" / str(news_id) / f"{key}-{width}x{height}.jpg"


def card(article: Article, width: int, height: int) -> Path:
    """The file of ``article``'s share card at ``width``×``height``, drawn now if it is not on disk yet."""
    key = digest(article.headline)
    target = card_path(article.pk, key, width, height)
    if target.exists():
        return target
    # Cards of an earlier headline are never asked for again: the page names the new address.
    if target.parent.exists():
        for old in target.parent.glob("*.jpg"):
            if not old.name.startswith(key):
                old.unlink(missing_ok=True)
    return renditions.write_jpeg(draw(name=settings.SITE_NAME, headline=article.headline, width=width, height=height),
                                 target)


def draw(*, name: str, headline: str, width: int, height: int) -> PILImage.Image:
    """A ``width``×``height`` card: the paper's name above the headline, as large as fits."""
    picture = PILImage.new("RGB", (width, height), BACKGROUND)
    pen = ImageDraw.Draw(picture)
    margin = width // 15
    name_font = _font(width // 24)
    pen.text((margin, margin), characters.strip(name), font=name_font, fill=NAME_COLOUR)
    top = margin + width // 24 * 2
    room_width, room_height = width - 2 * margin, height - top - margin
    words = characters.strip(headline).split()
    for size in range(width // 11, width // 40, -4):
        font = _font(size)
        lines = _wrap(words, font, room_width)
        if len(lines) * size * 1.25 <= room_height:
            break
    # A Persian or Arabic headline starts at the right, as its lines are read.
    rtl = any(unicodedata.bidirectional(letter) in ("R", "AL") for letter in "".join(words))
    for number, line in enumerate(lines):
        left = width - margin - font.getlength(line) if rtl else margin
        pen.text((left, top + number * size * 1.25), line, font=font, fill=HEADLINE_COLOUR)
    return picture


def _wrap(words: list[str], font, width: int) -> list[str]:
    lines, line = [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if line and font.getlength(candidate) > width:
            lines.append(line)
            candidate = word
        line = candidate
    return [*lines, line] if line else lines


def _font(size: int):
    for name in FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def share_card(request, news_id: int, key: str, width: int, height: int):
    """``/cards/<news id>/<digest>/<w>x<h>.jpg``: a visible story's card at a share size; an old digest moves on."""
    if (width, height) not in renditions.SHARE_SIZES:
        raise Http404(f"No share card at {width}×{height}.")
    article = Article.objects.visible().filter(pk=news_id).only("id", "headline").first()
    if article is None:
        raise Http404(f"No visible story with News ID {news_id}.")
    if key != digest(article.headline):
        return HttpResponsePermanentRedirect(reverse("syndication:share-card", args=[news_id, digest(article.headline), width, height]))
    response = FileResponse(open(card(article, width, height), "rb"), content_type="image/jpeg")
    # The address changes with the headline, so what it names never does.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
