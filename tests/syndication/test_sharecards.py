"""Pictures for sharing: the lead image at Google's shapes, else a card of the paper's name and headline."""

import io
import re

import pytest
from PIL import Image as PILImage

from masthead.delivery import pagecache
from masthead.stories import changes
from tests.media.factories import image_bytes, make_image
from tests.news.factories import make_article
from tests.stories.factories import SYSTEM

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
SHAPES = [(16, 9), (4, 3), (1, 1)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _meta(html: str, name: str) -> str:
    return re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html).group(1)


def _json_ld_images(html: str) -> list[str]:
    import json

    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))["image"]


def _picture(client, url: str) -> PILImage.Image:
    response = client.get(url.removeprefix(SITE))
    assert response.status_code == 200, url
    assert response["Content-Type"] == "image/jpeg"
    return PILImage.open(io.BytesIO(b"".join(response.streaming_content)))


def _check_shapes(client, images: list[str]) -> list[PILImage.Image]:
    pictures = [_picture(client, url) for url in images]
    for picture, (w, h) in zip(pictures, SHAPES, strict=True):
        width, height = picture.size
        assert width * h == height * w, (picture.size, (w, h))
        assert width * height >= 50_000
    return pictures


def test_a_story_with_a_lead_image_shares_it_at_googles_three_shapes(client):
    """JSON-LD image holds the lead image at 16:9, 4:3 and 1:1; og:image and twitter:image are the 16:9 one."""
    story = make_article(lead_image=make_image(data=image_bytes("JPEG", (1600, 1000)), alt="Azadi Tower at dusk"))
    html = client.get(story.get_absolute_url()).content.decode()
    images = _json_ld_images(html)
    assert images == [f"{SITE}/media/imgcache/{story.lead_image_id}/{w}x{h}.jpg" for w, h in ((1200, 675), (1200, 900), (1200, 1200))]
    _check_shapes(client, images)
    assert _meta(html, "og:image") == _meta(html, "twitter:image") == images[0]
    assert (_meta(html, "og:image:width"), _meta(html, "og:image:height")) == ("1200", "675")
    assert _meta(html, "og:image:alt") == "Azadi Tower at dusk"
    assert _meta(html, "twitter:card") == "summary_large_image"


def test_a_story_without_one_gets_a_card_of_its_headline(client, media_root):
    """The card is drawn once, kept on disk, at the three shapes, and is not the plain background."""
    story = make_article(headline="Leave the region, Iran FM tells foreign powers")
    html = client.get(story.get_absolute_url()).content.decode()
    images = _json_ld_images(html)
    assert all(re.fullmatch(rf"{SITE}/cards/{story.pk}/\w+/\d+x\d+\.jpg", url) for url in images)
    assert _meta(html, "og:image") == _meta(html, "twitter:image") == images[0]
    assert _meta(html, "og:image:alt") == story.headline
    pictures = _check_shapes(client, images)
    assert len(pictures[0].getcolors(1_000_000)) > 10  # text drawn on the background
    files = sorted(media_root.rglob("*.jpg"))
    assert len(files) == 3
    made = [f.stat().st_mtime_ns for f in files]
    _check_shapes(client, images)
    assert [f.stat().st_mtime_ns for f in files] == made  # served from disk, not drawn again


def test_a_new_headline_makes_a_new_card_and_retires_the_old(client, media_root):
    """A changed headline changes the card's address; the old address moves to it and the old files go."""
    story = make_article(headline="First headline")
    old = _json_ld_images(client.get(story.get_absolute_url()).content.decode())
    first = _picture(client, old[0])
    changes.edit(story, by=SYSTEM, values={"headline": "A quite different second headline"})
    pagecache.clear()  # the save's purge runs after commit, which this test's transaction never reaches
    new = _json_ld_images(client.get(story.get_absolute_url()).content.decode())
    assert new != old
    second = _picture(client, new[0])
    assert first.tobytes() != second.tobytes()
    assert len(list(media_root.rglob("*.jpg"))) == 1  # the first card's file is gone
    moved = client.get(old[0].removeprefix(SITE))
    assert moved.status_code == 301 and moved["Location"] == new[0].removeprefix(SITE)


def test_only_share_sizes_of_visible_stories_are_drawn(client):
    """Any other size, or a story a reader may not see, answers 404 with nothing drawn."""
    story = make_article()
    card = _json_ld_images(client.get(story.get_absolute_url()).content.decode())[0].removeprefix(SITE)
    response = client.get(card.replace("1200x675", "5000x5000"))
    assert response.status_code == 404
    assert client.get(card.replace(f"/cards/{story.pk}/", "/cards/999999/")).status_code == 404
    changes.unpublish(story, by=SYSTEM)
    assert client.get(card).status_code == 404
