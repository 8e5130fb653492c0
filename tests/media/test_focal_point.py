"""Crops keep the editor's focal point in view, at sizes taken from MASTHEAD_IMAGE_SIZES."""

import io
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from PIL import Image as PILImage

from masthead.media import describing, renditions
from masthead.media.models import Image
from tests import servers
from tests.media.factories import make_image
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _banded(size=(800, 1600)) -> bytes:
    """A tall picture: red in its top quarter, blue below."""
    picture = PILImage.new("RGB", size, (0, 0, 255))
    picture.paste((255, 0, 0), (0, 0, size[0], size[1] // 4))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def _fetched(client, url: str) -> PILImage.Image:
    response = client.get(url)
    assert response.status_code == 200, url
    return PILImage.open(io.BytesIO(b"".join(response.streaming_content))).convert("RGB")


def test_a_crop_keeps_the_focal_point_in_view(client):
    """A 16:9 cut of a tall picture shows its top when the focal point is at the top, its middle by default."""
    image = make_image(data=_banded())
    middle = _fetched(client, image.rendition_url(480, 270, focused=True))
    assert middle.getpixel((240, 135))[2] > 200  # blue: the middle of the picture
    image.focal_x, image.focal_y = 50, 5
    describing.describe(image)
    url = image.rendition_url(480, 270, focused=True)
    assert url == f"/media/imgcache/{image.pk}/480x270-f50-5.jpg"
    top = _fetched(client, url)
    assert top.getpixel((240, 10))[0] > 200 and top.getpixel((240, 135))[0] > 200  # red: the top quarter


def test_only_the_images_own_focal_point_is_cut(client):
    """Another focal point in the address is a 404 naming it, so no one can fill the disk with crops."""
    image = make_image(data=_banded())
    image.focal_x, image.focal_y = 30, 70
    describing.describe(image)
    response = client.get(f"/media/imgcache/{image.pk}/480x270-f31-70.jpg")
    assert response.status_code == 404
    assert client.get(f"/media/imgcache/{image.pk}/480x270-f30-70.jpg").status_code == 200
    assert client.get(f"/media/imgcache/{image.pk}/481x270-f30-70.jpg").status_code == 404


def test_a_focal_point_outside_the_picture_is_refused_naming_the_field():
    image = make_image()
    image.focal_x = 101
    with pytest.raises(ValidationError) as refused:
        describing.describe(image)
    assert refused.value.message_dict == {"focal_x": ["Ensure this value is less than or equal to 100."]}
    assert Image.objects.get(pk=image.pk).focal_x == 50


def test_the_newsroom_sets_the_focal_point_and_the_article_page_shows_the_new_crop(
        admin_client, client, django_capture_on_commit_callbacks):
    """Saved in the media library's form, the new point reaches the article page (its cached copy is purged)."""
    image = make_image(data=_banded(), caption="Tower", credit="IRNA")
    story = make_article(lead_image=image)
    before = client.get(story.get_absolute_url()).content.decode()
    assert f"/media/imgcache/{image.pk}/650x365.jpg" in before
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/newsroom/media/image/{image.pk}/change/", {
            "alt": image.alt, "caption": "Tower at dawn", "credit": "IRNA", "focal_x": "50", "focal_y": "10"})
    assert response.status_code == 302
    after = client.get(story.get_absolute_url()).content.decode()
    assert f'src="/media/imgcache/{image.pk}/650x365-f50-10.jpg"' in after and "Tower at dawn" in after
    response = admin_client.post(f"/newsroom/media/image/{image.pk}/change/", {
        "alt": image.alt, "caption": "", "credit": "", "focal_x": "-1", "focal_y": "200"})
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    assert "Ensure this value is less than or equal to 100." in response.content.decode()


def test_slots_draw_from_the_configured_sizes(settings):
    """MASTHEAD_IMAGE_SIZES decides: a thumbnail takes a 4:3 size when one is configured, the story picture 16:9."""
    settings.IMAGE_SIZES = [(1200, 675), (600, 338), (400, 300), (200, 150)]
    assert renditions.slot_sizes("thumb") == [(400, 300), (200, 150)]
    assert renditions.slot_sizes("story") == [(1200, 675), (600, 338)]
    image = make_image()
    html = str(renditions.picture(image, "thumb", lazy=True))
    assert f'src="/media/imgcache/{image.pk}/200x150.jpg"' in html
    assert 'width="200" height="150"' in html and 'loading="lazy"' in html
    assert f"/media/imgcache/{image.pk}/400x300.jpg 400w, /media/imgcache/{image.pk}/200x150.jpg 200w" in html
    html = str(renditions.picture(image, "story"))
    assert f'src="/media/imgcache/{image.pk}/1200x675.jpg"' in html and 'width="1200" height="675"' in html
    assert 'loading="eager"' in html and "650x365" not in html


def test_a_size_left_out_of_the_settings_is_not_served(client, settings):
    settings.IMAGE_SIZES = [(1200, 675), (400, 300)]
    image = make_image()
    assert client.get(f"/media/imgcache/{image.pk}/650x365.jpg").status_code == 404
    assert client.get(f"/media/imgcache/{image.pk}/400x300.jpg").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_new_focal_point_set_in_another_process_reaches_every_worker(tmp_path):
    """Both workers hold the article page; a focal point saved from ``masthead shell`` is on both within 1 s."""
    image = make_image(data=_banded())
    story = make_article(lead_image=image)
    env = {**os.environ, "MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": ""}

    def get(url):
        request = urllib.request.Request(url, headers={"Host": "localhost"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers["X-Cache"], response.read().decode()

    with servers.app_server(env, workers=2) as base:
        url = base + story.get_absolute_url()
        assert "hit" in {get(url)[0] for _ in range(20)}
        code = (f"from masthead.media import describing; from masthead.media.models import Image; "
                f"i = Image.objects.get(pk={image.pk}); i.focal_x, i.focal_y = 20, 80; describing.describe(i)")
        subprocess.run([sys.executable, "-m", "masthead.cli", "shell", "-c", code], env=env, check=True, timeout=60,
                       capture_output=True)
        changed = time.monotonic()
        seen = []
        while time.monotonic() - changed < 1.0:
            seen.append(f"/media/imgcache/{image.pk}/650x365-f20-80.jpg" in get(url)[1])
        assert seen and seen[-20:] == [True] * 20, seen


def test_a_malformed_size_list_stops_start_up_naming_the_variable():
    env = {**os.environ, "MASTHEAD_IMAGE_SIZES": "1300x731,650y365"}
    run = subprocess.run([sys.executable, "-m", "masthead.cli", "check"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert ("MASTHEAD_IMAGE_SIZES='1300x731,650y365' is not a comma-separated list of WIDTHxHEIGHT sizes in pixels, "
            "e.g. 1300x731,650x365,320x180.") in run.stderr


def test_rendition_addresses_are_the_ones_the_urlconf_serves():
    """Addresses are built from the URLconf's root once; they must be what reverse() would give."""
    from django.urls import reverse

    image = make_image()
    image.focal_x, image.focal_y = 12, 88
    assert image.rendition_url(650, 365) == reverse("media:rendition", kwargs={"image_id": image.pk, "width": 650, "height": 365})
    assert image.rendition_url(650, 365, focused=True) == reverse("media:focused_rendition", kwargs={
        "image_id": image.pk, "width": 650, "height": 365, "focal_x": 12, "focal_y": 88})
