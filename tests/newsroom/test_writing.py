"""Writing a story: the live preview renders as the site does, limits are offered, pasted pictures reach the library."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from masthead.media.models import Image
from masthead.news.models import Article
from masthead.newsroom import writing
from tests.media.factories import image_bytes
from tests.newsroom.factories import make_draft, make_user

pytestmark = pytest.mark.django_db

PREVIEW, PICTURE = "/newsroom/news/article/writing/preview/", "/newsroom/news/article/writing/picture/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_preview_is_the_html_the_site_stores_for_the_body(client):
    """What the preview shows is exactly what a save renders: Markdown, then the site's sanitising policy."""
    reporter = make_user("reporter")
    body = "Rescue teams arrived **before dawn**.\n\n## What we know\n\n- 12 villages\n\n<script>alert(1)</script>" \
           '<a href="javascript:alert(1)">x</a>'
    client.force_login(reporter)
    response = client.post(PREVIEW, {"body": body})
    assert response.status_code == 200
    story = make_draft(by=reporter, body=body)
    assert response.json() == {"html": Article.objects.get(pk=story.pk).body_html}
    assert "<strong>before dawn</strong>" in response.json()["html"]
    assert "<script" not in response.json()["html"] and "javascript:" not in response.json()["html"]


def test_the_preview_refuses_what_is_not_a_writers_request(client):
    """Only POST, only for people who write, and a body of sane size; each refusal says why."""
    client.force_login(make_user("reporter"))
    assert client.get(PREVIEW).status_code == 405
    response = client.post(PREVIEW, {"body": "x" * (writing.PREVIEW_MAX_CHARACTERS + 1)})
    assert response.status_code == 400
    assert response.json()["error"] == "The body is 200001 characters; the preview shows at most 200000."
    client.force_login(make_user("moderator"))
    assert client.post(PREVIEW, {"body": "x"}).status_code == 403
    client.logout()
    assert client.post(PREVIEW, {"body": "x"}).status_code == 302  # to the sign-in page


def test_a_pasted_picture_goes_into_the_media_library_and_answers_its_markdown(client):
    """The picture is stored like any upload (re-encoded, by its uploader, with its description)."""
    reporter = make_user("reporter")
    client.force_login(reporter)
    upload = SimpleUploadedFile("image.png", image_bytes("PNG", (1200, 800)), content_type="image/png")
    response = client.post(PICTURE, {"upload": upload, "alt": "Rescue teams in Kerman"})
    assert response.status_code == 201, response.content
    image = Image.objects.get()
    assert (image.alt, image.uploaded_by, image.format, image.width) == ("Rescue teams in Kerman", reporter, "png", 1200)
    assert response.json() == {"id": image.pk, "markdown": f"![Rescue teams in Kerman](/media/imgcache/{image.pk}/650x365.jpg)"}
    assert client.get(f"/media/imgcache/{image.pk}/650x365.jpg").status_code == 200


def test_a_picture_that_cannot_be_taken_is_refused_with_the_reason(client):
    """No description, no file, not a picture, no right to upload: 4xx with a message naming the problem; nothing kept."""
    client.force_login(make_user("reporter"))
    png = image_bytes("PNG", (100, 100))
    response = client.post(PICTURE, {"upload": SimpleUploadedFile("a.png", png), "alt": "  "})
    assert (response.status_code, response.json()["error"]) == (
        400, "alt: say what the picture shows, for readers who cannot see it.")
    response = client.post(PICTURE, {"alt": "A picture"})
    assert (response.status_code, response.json()["error"]) == (400, "upload: send the picture as the file field 'upload'.")
    response = client.post(PICTURE, {"upload": SimpleUploadedFile("notes.png", b"not a picture"), "alt": "Notes"})
    assert (response.status_code, response.json()["error"]) == (400, "notes.png is not a readable JPEG, PNG or WebP image.")
    client.force_login(make_user("moderator"))
    response = client.post(PICTURE, {"upload": SimpleUploadedFile("a.png", png), "alt": "A picture"})
    assert (response.status_code, response.json()["error"]) == (403, "You may not upload pictures.")
    assert not Image.objects.exists()


def test_the_picture_markdown_follows_the_configured_sizes(client, settings):
    """With other rendition sizes configured, the body asks for one the site will make."""
    settings.IMAGE_SIZES = [(1200, 675), (700, 394), (320, 180)]
    client.force_login(make_user("editor"))
    upload = SimpleUploadedFile("kerman.jpg", image_bytes("JPEG", (1600, 900)))
    markdown = client.post(PICTURE, {"upload": upload, "alt": "Kerman [north]"}).json()["markdown"]
    image = Image.objects.get()
    assert markdown == f"![Kerman (north)](/media/imgcache/{image.pk}/700x394.jpg)"


def test_the_story_form_offers_the_limits_and_the_editor(client):
    """Headline, summary and kicker carry their limits and reasons; the body is the tall editor with its preview."""
    editor = make_user("editor")
    client.force_login(editor)
    html = client.get(f"/newsroom/news/article/{make_draft(by=editor).pk}/change/").content.decode()
    assert 'data-limit="110" data-limit-why="Google News cuts headlines after 110 characters."' in html
    assert 'data-limit="160" data-limit-why="Search results show about 160 characters of the summary."' in html
    assert 'rows="24"' in html and f'data-preview-url="{PREVIEW}"' in html and f'data-picture-url="{PICTURE}"' in html
    assert 'src="/static/newsroom/writing.js"' in html
