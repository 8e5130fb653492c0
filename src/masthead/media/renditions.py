"""Renditions: an image cut to a size the templates ask for, made on first request and kept on disk."""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.html import format_html
from PIL import Image as PILImage, ImageOps

from masthead.media.models import Image


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


def path(image_id: int, width: int, height: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imgcache" / str(image_id) / f"{width}x{height}.jpg"


def render(image: Image, width: int, height: int) -> Path:
    """The file of ``image`` at ``width``×``height`` (cropped to fill), made now if it is not on disk yet."""
    target = path(image.pk, width, height)
    if target.exists():
        return target
    with image.file.open("rb") as source, PILImage.open(source) as picture:
        fitted = ImageOps.fit(picture.convert("RGB"), (width, height), method=PILImage.Resampling.LANCZOS)
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


def srcset(image: Image, *, ratio: tuple[int, int] | None = None) -> str:
    """``url 1300w, url 980w, …`` for every configured size (of one aspect ratio, if given)."""
    chosen = [(w, h) for w, h in sizes() if ratio is None or w * ratio[1] == h * ratio[0] or abs(w * ratio[1] / ratio[0] - h) < 2]
    return ", ".join(f"{image.rendition_url(w, h)} {w}w" for w, h in chosen)


def picture(image: Image, width: int = 650, height: int = 365, sizes: str = "(min-width: 44rem) 650px, 100vw",
            loading: str = "eager") -> str:
    """An ``<img>`` of ``image`` at ``width``×``height`` with a ``srcset`` of every size of that shape."""
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" loading="{}" decoding="async">',
        image.rendition_url(width, height), srcset(image, ratio=(width, height)), sizes,
        width, height, image.alt, loading,
    )
