import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import Image as PILImage

from masthead.media import uploads
from masthead.media.models import Image
from tests.media.factories import image_bytes, make_image, upload
from tests.newsroom.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files(root) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


@pytest.mark.parametrize("fmt,expected", [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp")])
def test_jpeg_png_and_webp_are_accepted_and_measured(fmt, expected):
    image = uploads.accept(upload(f"photo.{expected}", image_bytes(fmt, (640, 360))), alt="A street", credit="IRNA")
    assert (image.format, image.width, image.height) == (expected, 640, 360)
    with image.file.open("rb") as stored, PILImage.open(stored) as picture:
        assert picture.format == fmt


def test_exif_is_stripped_from_the_stored_file():
    """Camera make, model and GPS position never reach the site."""
    raw = image_bytes("JPEG", exif=True)
    assert b"SecretCam" in raw
    image = make_image(data=raw)
    stored = image.file.open("rb").read()
    assert b"SecretCam" not in stored and b"Exif" not in stored
    assert not PILImage.open(io.BytesIO(stored)).getexif()


def test_a_file_that_lies_about_its_type_is_refused_and_leaves_nothing(media_root):
    gif = io.BytesIO()
    PILImage.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(ValidationError, match=r"holiday.jpg is a GIF image, whatever its name says; upload JPEG, PNG or WebP."):
        uploads.accept(upload("holiday.jpg", gif.getvalue()), alt="x")
    with pytest.raises(ValidationError, match=r"notes.png is not a readable JPEG, PNG or WebP image."):
        uploads.accept(upload("notes.png", b"<?php echo 'hello'; ?>", "image/png"), alt="x")
    assert Image.objects.count() == 0 and _files(media_root) == []


def test_an_oversized_file_is_refused_and_leaves_nothing(settings, media_root):
    settings.IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match=r"big.jpg is 0.0 MB; the largest image accepted is 0.0 MB."):
        uploads.accept(upload("big.jpg", image_bytes("PNG", (400, 400))), alt="x")
    assert Image.objects.count() == 0 and _files(media_root) == []


def test_too_many_pixels_is_refused(settings):
    settings.IMAGE_MAX_PIXELS = 1_000_000
    with pytest.raises(ValidationError, match=r"wide.png is 2000×1000 pixels; the largest accepted is 1 million pixels."):
        uploads.accept(upload("wide.png", image_bytes("PNG", (2000, 1000))), alt="x")


def test_a_failed_save_removes_the_file_it_wrote(media_root):
    """If the row cannot be saved (here: alt text missing), the file written for it is deleted."""
    with pytest.raises(ValidationError):
        uploads.accept(upload("photo.jpg", image_bytes()), alt="")
    assert Image.objects.count() == 0 and _files(media_root) == []


def test_newsroom_upload_form_shows_the_error_and_keeps_nothing(client, media_root):
    client.force_login(make_user("reporter"))
    response = client.post("/newsroom/media/image/add/", {
        "upload": upload("report.webp", b"%PDF-1.4 not an image", "image/webp"), "alt": "x", "caption": "", "credit": ""})
    assert response.status_code == 200
    assert "report.webp is not a readable JPEG, PNG or WebP image." in response.content.decode()
    assert Image.objects.count() == 0 and _files(media_root) == []
    response = client.post("/newsroom/media/image/add/", {
        "upload": upload("ok.jpg", image_bytes()), "alt": "Azadi Tower", "caption": "At dusk", "credit": "IRNA"})
    assert response.status_code == 302
    assert Image.objects.get().uploaded_by.groups.get().name == "reporter"


def _jpeg_segments(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's segments up to the image data (SOS)."""
    markers, at = [], 2
    while at < len(data):
        assert data[at] == 0xFF, f"no marker at byte {at}"
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: image data follows
            return markers
        at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
    return markers


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def test_every_metadata_segment_of_a_jpeg_is_dropped():
    """COM, XMP, ICC, IPTC (APP13) and vendor APPn segments are gone; JFIF and the pixels' own segments stay."""
    from PIL import ImageCms

    picture = PILImage.new("RGB", (320, 180), (200, 40, 40))
    out = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    picture.save(out, "JPEG", comment=b"Shot by SecretCam at home", icc_profile=profile,
                 xmp=b"<x:xmpmeta>SecretXmp</x:xmpmeta>")
    raw = out.getvalue()
    raw = raw[:2] + _segment(0xED, b"Photoshop 3.0\x00SecretIptc") + _segment(0xEB, b"SecretVendor") + raw[2:]
    assert {0xFE, 0xE1, 0xE2, 0xED, 0xEB} <= set(_jpeg_segments(raw))
    stored = make_image(data=raw).file.open("rb").read()
    assert set(_jpeg_segments(stored)) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xDA}, [hex(m) for m in _jpeg_segments(stored)]
    for secret in (b"SecretCam", b"SecretXmp", b"SecretIptc", b"SecretVendor", b"ICC_PROFILE"):
        assert secret not in stored
    with PILImage.open(io.BytesIO(stored)) as kept:
        assert all(abs(a - b) <= 3 for a, b in zip(kept.getpixel((10, 10)), (200, 40, 40)))

