"""Real image files, made with Pillow, and library images made from them."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from masthead.media import uploads


def image_bytes(fmt: str = "JPEG", size=(800, 450), *, exif: bool = False, color=(200, 40, 40)) -> bytes:
    picture = PILImage.new("RGB", size, color)
    out = io.BytesIO()
    options = {}
    if exif:
        tags = PILImage.Exif()
        tags[0x010F] = "SecretCam"  # Make
        tags[0x0110] = "Model X"  # Model
        tags[0x8825] = {2: (35.0, 41.0, 0.0)}  # GPS latitude
        options["exif"] = tags.tobytes()
    picture.save(out, fmt, **options)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def make_image(**overrides):
    data = overrides.pop("data", None) or image_bytes()
    return uploads.accept(upload("photo.jpg", data), alt=overrides.pop("alt", "Azadi Tower at dusk"), **overrides)
