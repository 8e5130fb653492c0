"""Accepting an upload: type and size checked from the content, metadata stripped, nothing left on failure."""

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image as PILImage, ImageCms, ImageOps, UnidentifiedImageError

from masthead.media.models import Image

# Pillow's names for the formats we take, and ours.
ACCEPTED = {"JPEG": Image.Format.JPEG, "PNG": Image.Format.PNG, "WEBP": Image.Format.WEBP}
EXTENSIONS = {Image.Format.JPEG: "jpg", Image.Format.PNG: "png", Image.Format.WEBP: "webp"}


@dataclass
class Prepared:
    """An upload that passed every check, re-encoded and ready to store."""

    data: bytes
    format: str
    width: int
    height: int


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def prepare(upload) -> Prepared:
    """Check ``upload`` (a Django UploadedFile) and re-encode it without metadata; ValidationError says why not."""
    name = getattr(upload, "name", "upload")
    limit = settings.IMAGE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("%(name)s is %(size)s; the largest image accepted is %(limit)s.")
                              % {"name": name, "size": _megabytes(upload.size), "limit": _megabytes(limit)})
    raw = upload.read()
    try:
        with PILImage.open(io.BytesIO(raw)) as probe:
            found = probe.format
            width, height = probe.size
            if found in ACCEPTED and width * height <= settings.IMAGE_MAX_PIXELS:
                probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, PILImage.DecompressionBombError):
        raise ValidationError(_("%(name)s is not a readable JPEG, PNG or WebP image.") % {"name": name}) from None
    if found not in ACCEPTED:
        raise ValidationError(_("%(name)s is a %(found)s image, whatever its name says; upload JPEG, PNG or WebP.")
                              % {"name": name, "found": found})
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise ValidationError(_("%(name)s is %(w)s×%(h)s pixels; the largest accepted is %(limit)s million pixels.")
                              % {"name": name, "w": width, "h": height, "limit": settings.IMAGE_MAX_PIXELS // 1_000_000})
    try:
        with PILImage.open(io.BytesIO(raw)) as picture:
            picture.load()
            # Turn the picture upright before the EXIF orientation tag is dropped with the rest.
            upright = _in_srgb(ImageOps.exif_transpose(picture))
            data = _encode(_bare(upright), ACCEPTED[found])
            width, height = upright.size
    except (OSError, ValueError, SyntaxError):
        raise ValidationError(_("%(name)s is damaged: its image data could not be read.") % {"name": name}) from None
    return Prepared(data=data, format=ACCEPTED[found], width=width, height=height)


def _in_srgb(picture):
    """``picture`` converted to sRGB when it carries a colour profile, so the profile can go with the rest.

    Dropping a wide-gamut (Adobe RGB, Display P3) profile without converting would dull the
    colours; browsers read an image without a profile as sRGB. A profile that cannot be read
    is dropped as it is.
    """
    icc = picture.info.get("icc_profile")
    if not icc or picture.mode not in ("RGB", "RGBA"):
        return picture
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(picture, source, ImageCms.createProfile("sRGB"), outputMode=picture.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return picture


def _bare(picture):
    # Pillow writes some of what it read (a JPEG's COM comment, an ICC profile, XMP) back out
    # from ``info``: a copy without it keeps the pixels and nothing else. Transparency is pixels.
    bare = picture.copy()
    bare.info = {key: value for key, value in picture.info.items() if key == "transparency"}
    return bare


def _encode(picture, fmt: str) -> bytes:
    # A fresh encode keeps the pixels and nothing else: no EXIF (camera, GPS), no XMP, no ICC
    # profile (converted to sRGB first), no comments; a JPEG keeps only its JFIF header.
    out = io.BytesIO()
    if fmt == Image.Format.JPEG:
        picture.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
    elif fmt == Image.Format.PNG:
        keep = picture if picture.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else picture.convert("RGBA")
        keep.save(out, "PNG", optimize=True)
    else:
        keep = picture if picture.mode in ("RGB", "RGBA") else picture.convert("RGBA")
        keep.save(out, "WEBP", quality=90)
    return out.getvalue()


def store(prepared: Prepared, *, image: Image) -> Image:
    """Save a prepared upload as ``image`` (its words already set); if anything fails, neither a row nor a file remains."""
    image.format, image.width, image.height = prepared.format, prepared.width, prepared.height
    image.size_bytes = len(prepared.data)
    name = f"images/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{EXTENSIONS[prepared.format]}"
    image.file.save(name, ContentFile(prepared.data), save=False)
    try:
        with transaction.atomic():
            image.full_clean()
            image.save()
    except BaseException:
        image.file.storage.delete(image.file.name)
        raise
    return image


def accept(upload, *, alt: str, caption: str = "", credit: str = "", by=None) -> Image:
    """Check, clean and store ``upload`` in one step."""
    prepared = prepare(upload)
    return store(prepared, image=Image(alt=alt, caption=caption, credit=credit, uploaded_by=by))
