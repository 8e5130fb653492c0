"""Renditions: an image cut to a size the templates ask for, made on first request and kept on disk."""

import math
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString as Markup
from PIL import Image as PILImage, ImageOps

from masthead.media.models import Image, rendition_address, renditions_root


# The shapes a shared picture is offered at: Google asks for images of at least 50,000 pixels
# at 16:9, 4:3 and 1:1 (https://developers.google.com/search/docs/appearance/structured-data/article),
# and X's large card for at least 300×157 (summary card: 144×144), so 16:9 leads.
SHARE_SIZES = [(1200, 675), (1200, 900), (1200, 1200)]


def sizes() -> list[tuple[int, int]]:
    """The sizes renditions are made at, widest first (``settings.IMAGE_SIZES``)."""
    return sorted(settings.IMAGE_SIZES, reverse=True)


def allowed(width: int, height: int) -> bool:
    """Whether a rendition may be made at ``width``×``height``: a page size or a share size, nothing else."""
    return (width, height) in sizes() or (width, height) in SHARE_SIZES


CENTRE = (50, 50)


def path(image_id: int, width: int, height: int, focus: tuple[int, int] = CENTRE) -> Path:
    name = f"{width}x{height}.jpg" if focus == CENTRE else f"{width}x{height}-f{focus[0]}-{focus[1]}.jpg"
    return Path(settings.MEDIA_ROOT) / "imgcache" / str(image_id) / name


def render(image: Image, width: int, height: int, focus: tuple[int, int] = CENTRE) -> Path:
    """The file of ``image`` at ``width``×``height``, cropped to fill around ``focus`` (percent
    across and down), made now if it is not on disk yet."""
    target = path(image.pk, width, height, focus)
    if target.exists():
        return target
    with image.file.open("rb") as source, PILImage.open(source) as picture:
        fitted = ImageOps.fit(picture.convert("RGB"), (width, height), method=PILImage.Resampling.LANCZOS,
                              centering=(focus[0] / 100, focus[1] / 100))
    return write_jpeg(fitted, target)


def write_jpeg(picture, target: Path) -> Path:
    """Save ``picture`` as the JPEG ``target``, whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a reader never gets half a file, and two requests racing both win.
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            picture.save(out, "JPEG", quality=82, optimize=True, progressive=True)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    return target


def _same_shape(size: tuple[int, int], ratio: tuple[int, int]) -> bool:
    # Sizes like 1300x731 are 16:9 rounded to whole pixels: within a pixel counts as the same shape.
    return abs(size[0] * ratio[1] / ratio[0] - size[1]) < 2


def srcset(image: Image, *, ratio: tuple[int, int] | None = None, focused: bool = False) -> str:
    """``url 1300w, url 980w, …`` for every configured size (of one aspect ratio, if given)."""
    chosen = [size for size in sizes() if ratio is None or _same_shape(size, ratio)]
    return ", ".join(f"{image.rendition_url(w, h, focused=focused)} {w}w" for w, h in chosen)


@dataclass(frozen=True)
class Slot:
    """A place on a page that shows a picture: how wide it is drawn at most (CSS pixels), the
    ``sizes`` attribute that tells the browser so, and the shapes it prefers, best first."""

    shown: int
    sizes: str
    shapes: tuple[tuple[int, int], ...] = ((16, 9),)


# The widths match site.css and reader.css: the home page's lead picture (two thirds of a 72rem
# page), a teaser's thumbnail (8-10rem), and the article's picture across its 42rem column.
SLOTS = {
    "lead": Slot(shown=650, sizes="(min-width: 60rem) 44rem, 100vw"),
    "story": Slot(shown=650, sizes="(min-width: 44rem) 42rem, 100vw"),
    "thumb": Slot(shown=160, sizes="10rem", shapes=((4, 3), (3, 2), (16, 9))),
}


def slot_sizes(slot: str) -> list[tuple[int, int]]:
    """The configured sizes (``MASTHEAD_IMAGE_SIZES``) a slot draws from, widest first: those of its
    best shape that is configured, else those of the shape most sizes have."""
    return list(_slot_sizes(slot, tuple(settings.IMAGE_SIZES)))


@lru_cache(maxsize=32)
def _slot_sizes(slot: str, configured: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    configured = sorted(configured, reverse=True)
    for ratio in SLOTS[slot].shapes:
        found = [size for size in configured if _same_shape(size, ratio)]
        if found:
            return tuple(found)
    by_shape = {}
    for width, height in configured:
        divisor = math.gcd(width, height)
        by_shape.setdefault((width // divisor, height // divisor), []).append((width, height))
    return tuple(max(by_shape.values(), key=len))


def picture(image: Image, slot: str = "story", *, lazy: bool = False) -> str:
    """An ``<img>`` of ``image`` for ``slot``: the smallest configured size at least as wide as the
    slot is drawn, a ``srcset`` of every size of that shape cropped around the focal point, and
    ``width``/``height`` so the browser keeps its room before it arrives; nothing for no image."""
    if image is None or image.pk is None:
        return Markup("")
    return _picture(renditions_root(), image.pk, image.focal_x, image.focal_y, image.alt, slot, lazy, tuple(settings.IMAGE_SIZES))


@lru_cache(maxsize=4096)
def _picture(root: str, pk: int, focal_x: int, focal_y: int, alt: str, slot: str, lazy: bool,
             configured: tuple[tuple[int, int], ...]) -> str:
    # Kept by everything the markup is made of: a list page draws a dozen pictures, most of them
    # drawn before by the pages around it, and a new focal point or alt text is a new entry.
    available = _slot_sizes(slot, configured)
    width, height = min((size for size in available if size[0] >= SLOTS[slot].shown), default=available[0])
    # Built as one string: the addresses and numbers are ours, only the alt text comes from an
    # editor and is escaped.
    focus = (focal_x, focal_y)
    srcset = ", ".join(f"{rendition_address(root, pk, w, h, focus)} {w}w" for w, h in available)
    return Markup(
        f'<img src="{rendition_address(root, pk, width, height, focus)}" srcset="{srcset}" sizes="{SLOTS[slot].sizes}" '
        f'width="{width}" height="{height}" alt="{escape(alt)}" loading="{"lazy" if lazy else "eager"}" '
        'decoding="async">'
    )
