"""What is stored cannot break an output: text holding characters that are not text is cleaned on the way out."""

import json
import re

import pytest
from lxml import etree, html

from masthead import characters
from masthead.news.models import Article, Author, Section, Tag
from tests.news.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db

BAD = "\x01\x1f\x85\ufffe"


@pytest.fixture
def story():
    """A story, its section, tag and author whose stored text holds control characters (written past the input rules)."""
    section, tag, author = make_section(slug="politics"), make_tag(slug="iran"), make_author(slug="sara")
    article = make_article(id=302104, section=section, tags=[tag], authors=[author])
    make_article(section=section)
    Article.objects.filter(pk=article.pk).update(
        headline=f"Leave{BAD} the region", slug="leave-the-region", kicker=f"Diplo{BAD}macy", summary=f"Zarif{BAD} met al-Araji.",
        body_html=f"<p>First{BAD} paragraph.</p>", source=f"Press{BAD} TV")
    Section.objects.filter(pk=section.pk).update(name=f"Poli{BAD}tics")
    Tag.objects.filter(pk=tag.pk).update(name=f"Ir{BAD}an")
    Author.objects.filter(pk=author.pk).update(name=f"Sara{BAD} Karimi")
    return Article.objects.get(pk=article.pk)


def _clean(text: str, where: str) -> None:
    assert characters.first_bad(text) is None, f"{where}: {characters.first_bad(text)}"


XML_PATHS = ["/feeds/rss/", "/feeds/atom/", "/News/Feed", "/News/Feed?id={section}", "/feeds/section/politics/rss/",
             "/feeds/section/politics/atom/", "/feeds/tag/iran/rss/", "/feeds/author/sara/atom/",
             "/sitemap.xml", "/sitemaps/pages.xml", "/sitemaps/news.xml", "/sitemaps/articles-6.xml"]


@pytest.mark.parametrize("path", XML_PATHS)
def test_feeds_and_sitemaps_answer_well_formed_xml(client, story, path):
    """Every feed and sitemap answers 200 with XML that parses, the bad characters left out and the text kept."""
    response = client.get(path.format(section=story.section_id))
    assert response.status_code == 200, response.content[:500]
    text = response.content.decode()
    _clean(text, path)
    etree.fromstring(response.content)  # raises on ill-formed XML
    if "sitemap" not in path or "news" in path:
        assert "Leave the region" in text


@pytest.mark.parametrize("path", ["/feeds/json/", "/feeds/section/politics/json/", "/api/v1/articles",
                                  "/api/v1/articles/302104", "/api/v1/sections", "/api/v1/tags", "/api/v1/authors"])
def test_json_outputs_carry_no_character_that_is_not_text(client, story, path):
    """JSON Feed and API answers are 200, parse, and hold the stored text without its control characters."""
    response = client.get(path)
    assert response.status_code == 200
    document = response.json()
    _clean(json.dumps(document, ensure_ascii=False), path)
    _clean(response.content.decode(), path)


@pytest.mark.parametrize("path", ["/", "/news/302104/leave-the-region/", "/news/302104/leave-the-region/print/",
                                  "/section/politics/", "/tag/iran/", "/author/sara/", "/search/?q=region"])
def test_html_pages_carry_no_character_that_is_not_text(client, story, path):
    """Reader pages answer 200 and print the stored text, JSON-LD included, without its control characters."""
    response = client.get(path, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    _clean(text, path)
    assert "Leave the region" in text or path.startswith("/search/")
    for script in html.fromstring(text).xpath('//script[@type="application/ld+json"]'):
        json.loads(script.text)
    if path == "/news/302104/leave-the-region/":
        assert re.search(r'"headline": "Leave the region"', text)
        assert "Press TV" in text and "Sara Karimi" in text
