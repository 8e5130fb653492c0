from datetime import datetime, timezone as dt_timezone

import feedparser
import pytest

from masthead.news import demo
from masthead.news.models import Article, Author, Section, Tag
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db


def test_demo_paper_has_sections_stories_and_the_real_article():
    created = demo.load()
    assert created["articles"] >= 36
    assert Section.objects.count() >= 5
    story = Article.objects.get(pk=302104)
    assert story.headline == "‘Leave the region,’ Iran FM tells foreign powers"
    assert story.published_at == datetime(2021, 4, 12, 5, 35, tzinfo=dt_timezone.utc)
    assert story.source == "Press TV"
    assert story.body.count("\n\n") == 8  # nine paragraphs, the page furniture dropped
    assert "Security Key" not in story.body and "Page Generated" not in story.body
    assert Article.objects.visible().count() == created["articles"]
    assert Article.objects.filter(authors__isnull=False).distinct().count() >= 36
    assert all(a.related_ids for a in Article.objects.all())


def test_loading_twice_duplicates_nothing_and_keeps_edits():
    demo.load()
    counts = (Article.objects.count(), Section.objects.count(), Tag.objects.count(), Author.objects.count())
    Article.objects.filter(pk=302104).update(headline="Edited in the newsroom")
    assert demo.load() == {"sections": 0, "authors": 0, "tags": 0, "articles": 0, "photos": 0}
    assert (Article.objects.count(), Section.objects.count(), Tag.objects.count(), Author.objects.count()) == counts
    assert Article.objects.get(pk=302104).headline == "Edited in the newsroom"


def test_a_story_written_after_the_demo_is_numbered_above_it_on_either_database():
    demo.load()
    highest = Article.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert make_article(headline="After the demo").pk > highest  # PostgreSQL's sequence only moves forward


def test_loading_is_not_an_update(client):
    """A loaded demo story's last change is its publication: no page, feed, sitemap or API answer says the load time."""
    demo.load()
    story = Article.objects.get(pk=302104)
    assert story.updated_at == story.published_at == datetime(2021, 4, 12, 5, 35, tzinfo=dt_timezone.utc)
    assert not any(a.shows_updated for a in Article.objects.all())
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Updated:" not in page
    assert '"dateModified": "2021-04-12T05:35:00Z"' in page
    sitemap = client.get("/sitemaps/articles-6.xml").content.decode()
    assert "<loc>http://127.0.0.1:8000/news/302104/" in sitemap
    assert "<lastmod>2021-04-12T05:35:00Z</lastmod>" in sitemap
    atom = feedparser.parse(client.get("/feeds/atom/").content)
    assert atom.entries and all(entry.updated == entry.published for entry in atom.entries)
    api = client.get("/api/v1/articles/302104").json()
    assert api["versioncreated"] == "2021-04-12T05:35:00Z"


def test_demo_paper_has_a_persian_edition_linked_to_the_english_one(client):
    """The demo's Persian stories live under /fa/, and 302106 is 302104's translation, linked both ways."""
    demo.load()
    persian = Article.objects.filter(language="fa")
    assert persian.count() >= 5
    counterpart = Article.objects.get(pk=302106)
    assert counterpart.language == "fa" and counterpart.published_at == Article.objects.get(pk=302104).published_at
    home = client.get("/fa/").content.decode()
    assert counterpart.headline in home
    english = client.get("/news/302104/leave-the-region-iran-fm-tells-foreign-powers/").content.decode()
    assert 'hreflang="fa"' in english and "/fa/news/302106/" in english
    assert 'hreflang="en"' in client.get(counterpart.get_absolute_url()).content.decode()


def test_the_demo_paper_has_real_photographs_with_credits_loaded_once(client, settings, tmp_path):
    """The shipped photographs go into the media library once, as lead images, each with its credit and licence file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    from masthead.media.models import Image

    created = demo.load()
    assert created["photos"] == Image.objects.count() == 8
    assert all(image.credit and image.caption and image.alt for image in Image.objects.all())
    assert (demo.PHOTOS_DIR / "CREDITS.md").read_text().count("| `") == 6
    astronaut = Article.objects.get(pk=302075).lead_image
    assert astronaut.credit == "Photo: NASA (public domain)" and astronaut.focus == (40, 22)
    html = client.get("/").content.decode()
    assert html.count("<img ") >= 5
    assert client.get(astronaut.rendition_url(650, 365, focused=True)).status_code == 200
    again = demo.load()
    assert again["photos"] == 0 and Image.objects.count() == 8
