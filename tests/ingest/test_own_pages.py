"""Readers' tools take the story, and only the story, from Masthead's own article page."""

from datetime import timedelta

import pytest
import trafilatura
from django.utils import timezone
from lxml import html as lxml_html

from masthead.ingest import html
from masthead.news.models import Article, Author, Section, Tag
from tests.ingest.factories import run_import
from tests.news.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db

PARAGRAPHS = [
    "Foreign Minister Mohammad Javad Zarif told Iraq's national security adviser that the region can keep itself secure.",
    "The two men met in Tehran on Sunday and spoke about trade, pilgrims and the border crossings between the countries.",
    "Zarif said foreign forces had brought only insecurity, and that the neighbours would settle their own affairs together.",
]


@pytest.fixture
def page(client):
    """The HTML of a served article page with every piece of furniture: kicker, facts, summary, byline, source, tags."""
    story = make_article(
        id=302104, section=make_section(name="Politics", slug="politics"), kicker="Diplomacy",
        headline="Leave the region, Iran FM tells foreign powers", summary="Zarif meets Iraq's security adviser.",
        body="\n\n".join(PARAGRAPHS), source="Press TV",
        published_at=(timezone.now() - timedelta(days=3)).replace(microsecond=0),
        authors=[make_author(name="Sara Karimi", slug="sara-karimi"), make_author(name="Ali Rezaei", slug="ali-rezaei")],
        tags=[make_tag(name="Iran", slug="iran")])
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return story, response.content


def _paragraphs(body_html: str) -> list[str]:
    return [p.text_content().strip() for p in lxml_html.fragment_fromstring(body_html, create_parent="div").iter("p")]


def test_trafilatura_extracts_the_body_and_nothing_else(page):
    """trafilatura's text of the page is the story's paragraphs: no kicker, News ID, dates, summary, byline or tags."""
    _, data = page
    text = trafilatura.extract(data.decode(), include_comments=False)
    assert [line.strip() for line in text.splitlines() if line.strip()] == PARAGRAPHS


def test_a_served_page_imported_into_an_empty_site_is_the_same_story(page, tmp_path):
    """Masthead's HTML importer reads back the headline, time, authors and body paragraphs of its own page."""
    story, data = page
    item = html.parse(data, name="302104.html")
    assert item.news_id == 302104
    assert item.headline == story.headline
    assert item.published_at == story.published_at
    assert item.authors == [author.name for author in story.authors.all()]
    assert _paragraphs(item.body) == PARAGRAPHS

    (tmp_path / "302104.html").write_bytes(data)
    Article.objects.all().delete()
    Tag.objects.all().delete(), Author.objects.all().delete(), Section.objects.all().delete()
    assert run_import(tmp_path / "302104.html").returncode == 0
    imported = Article.objects.get(pk=302104)
    assert (imported.headline, imported.published_at) == (story.headline, story.published_at)
    assert sorted(imported.authors.values_list("name", flat=True)) == ["Ali Rezaei", "Sara Karimi"]
    assert _paragraphs(imported.body_html) == PARAGRAPHS
