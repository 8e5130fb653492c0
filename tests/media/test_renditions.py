import io
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage

from tests.audience.factories import warm_lists
from tests.media.factories import image_bytes, make_image
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_rendition_is_made_at_the_asked_size_cached_on_disk_and_cached_forever(client, media_root):
    image = make_image(data=image_bytes("PNG", (1600, 1200)))
    url = f"/media/imgcache/{image.pk}/650x365.jpg"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    picture = PILImage.open(io.BytesIO(b"".join(response.streaming_content)))
    assert (picture.format, picture.size) == ("JPEG", (650, 365))
    cached = Path(media_root) / "imgcache" / str(image.pk) / "650x365.jpg"
    assert cached.exists()
    # Served from the disk from now on: the original is no longer read.
    image.file.storage.delete(image.file.name)
    assert client.get(url).status_code == 200


def test_only_configured_sizes_and_known_images_are_served(client):
    image = make_image()
    assert client.get(f"/media/imgcache/{image.pk}/651x365.jpg").status_code == 404
    assert client.get(f"/media/imgcache/{image.pk + 1}/650x365.jpg").status_code == 404


def test_article_page_shows_the_lead_image_with_srcset_at_no_extra_query(client):
    image = make_image(caption="Azadi Tower at dusk.", credit="IRNA")
    plain, illustrated = make_article(), make_article(lead_image=image)
    warm_lists(plain, illustrated)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        return response, len(captured)

    response, with_image = queries(illustrated.get_absolute_url())
    _, without = queries(plain.get_absolute_url())
    html = response.content.decode()
    assert with_image == without
    assert f'src="/media/imgcache/{image.pk}/650x365.jpg"' in html
    assert f"/media/imgcache/{image.pk}/1300x731.jpg 1300w" in html and f"/media/imgcache/{image.pk}/320x180.jpg 320w" in html
    assert 'alt="Azadi Tower at dusk"' in html and "IRNA" in html


def test_a_library_image_can_sit_inline_in_a_markdown_body():
    image = make_image()
    story = make_article(body=f"Before.\n\n![Azadi Tower]({image.rendition_url(650, 365)})\n\nAfter.")
    assert f'<img alt="Azadi Tower" src="/media/imgcache/{image.pk}/650x365.jpg">' in story.body_html
