"""The sitemaps validate against the sitemaps.org XSDs (with the Google News elements), and the API's
stories against the IPTC ninjs 2.0 JSON schema: the outside world's own definitions, shipped in
tests/schemas/ (see LICENCES.md there) so the check runs offline."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from jsonschema import Draft4Validator
from lxml import etree

from masthead.news import demo
from masthead.news.models import Section
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def _xsd(*files: str) -> etree.XMLSchema:
    # One driver schema imports each namespace's own file, so elements of the Google News namespace
    # inside a <url> are validated too (the sitemap XSD says processContents="strict").
    namespaces = {"sitemap.xsd": "http://www.sitemaps.org/schemas/sitemap/0.9",
                  "siteindex.xsd": "http://www.sitemaps.org/schemas/sitemap/0.9",
                  "news-sitemap.xsd": "http://www.google.com/schemas/sitemap-news/0.9",
                  "xhtml-link.xsd": "http://www.w3.org/1999/xhtml"}
    imports = "".join(f'<xsd:import namespace="{namespaces[name]}" schemaLocation="{(SCHEMAS / name).as_uri()}"/>'
                      for name in files)
    return etree.XMLSchema(etree.fromstring(f'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">{imports}</xsd:schema>'))


def _valid(schema: etree.XMLSchema, client, url: str) -> etree._Element:
    response = client.get(url)
    assert response.status_code == 200, url
    document = etree.fromstring(response.content)
    assert schema.validate(document), f"{url}: {[str(e) for e in schema.error_log]}"
    return document


@pytest.fixture
def paper():
    """The demo paper (stories from 2021) and one story of today, so the news sitemap has an entry."""
    demo.load()
    make_article(section=Section.objects.first(), headline="Today’s story & more", published_at=timezone.now() - timedelta(hours=2))


def test_every_sitemap_validates_against_the_sitemaps_org_xsds(client, paper):
    index = _valid(_xsd("siteindex.xsd"), client, "/sitemap.xml")
    urlset = _xsd("sitemap.xsd", "news-sitemap.xsd", "xhtml-link.xsd")
    locations = [loc.text for loc in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith("/sitemaps/news.xml") for loc in locations)
    assert any(loc.endswith("/fa/sitemaps/pages.xml") for loc in locations)
    for loc in locations:
        path = "/" + loc.split("/", 3)[3]
        document = _valid(urlset, client, path)
        assert len(document) > 0, path


def test_an_empty_news_sitemap_validates_too(client):
    """The demo paper alone has no story of the last 48 hours: the news sitemap must still validate."""
    demo.load()
    document = _valid(_xsd("sitemap.xsd", "news-sitemap.xsd"), client, "/sitemaps/news.xml")
    assert len(document) == 1


def test_api_stories_validate_against_ninjs_2_0(client, paper):
    schema = json.loads((SCHEMAS / "ninjs-schema_2.0.json").read_text(encoding="utf-8"))
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    items = client.get("/api/v1/articles?limit=100").json()["items"]
    items += client.get("/api/v1/articles?since=2000-01-01T00:00:00Z&limit=100").json()["items"]
    items.append(client.get("/api/v1/articles/302104").json())
    assert len(items) > 10
    problems = [(item["uri"], list(error.absolute_path), error.message) for item in items for error in validator.iter_errors(item)]
    assert not problems
