import json
import re
from datetime import datetime, timezone as dt_timezone
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string

from masthead.news import storypage
from masthead.news.models import Article
from masthead.stories import changes
from masthead.syndication import metadata
from masthead.syndication.head import article_head
from masthead.syndication.models import LanguageEdition
from masthead.syndication.ninjs import rfc3339
from tests.news.factories import make_article, make_author, make_section, make_tag
from tests.newsroom.factories import make_user

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


class Head(HTMLParser):
    """The <meta>, <link> and JSON-LD of a page."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.json_ld, self._in_ld = [], [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            self.meta.append((attrs.get("property") or attrs.get("name"), attrs.get("content")))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(json.loads(data))

    def handle_endtag(self, tag):
        self._in_ld = False

    def values(self, name):
        return [content for key, content in self.meta if key == name]


def _head(client, url) -> Head:
    response = client.get(url)
    assert response.status_code == 200
    head = Head()
    head.feed(response.content.decode())
    return head


@pytest.fixture
def story():
    return make_article(
        id=302104, section=make_section(name="Politics", slug="politics"), kicker="Diplomacy",
        headline="‘Leave the region,’ Iran FM tells foreign powers", summary="Zarif met al-Araji.",
        published_at=datetime(2021, 4, 12, 5, 35, tzinfo=dt_timezone.utc),
        tags=[make_tag(name="Iran", slug="iran"), make_tag(name="Iraq", slug="iraq")],
        authors=[make_author(name="Sara Karimi", slug="sara-karimi")],
    )


def test_article_json_ld_is_a_complete_news_article(client, story):
    """The JSON-LD parses and has every field Google's article guidelines and the paper ask for."""
    (data,) = _head(client, story.get_absolute_url()).json_ld
    url = SITE + story.get_absolute_url()
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "‘Leave the region,’ Iran FM tells foreign powers"
    assert data["datePublished"] == "2021-04-12T05:35:00Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", data["dateModified"])
    assert datetime.fromisoformat(data["dateModified"].replace("Z", "+00:00")) >= story.published_at
    assert data["author"] == [{"@type": "Person", "name": "Sara Karimi", "url": f"{SITE}/author/sara-karimi/"}]
    assert data["publisher"]["@type"] == "NewsMediaOrganization"
    assert data["publisher"]["name"] == "Masthead Daily"
    assert data["publisher"]["logo"]["@type"] == "ImageObject"
    assert data["publisher"]["logo"]["url"].startswith(f"{SITE}/static/masthead/syndication/logo")
    # No lead image: the story's own share card at Google's three shapes, not the paper's logo.
    assert [re.sub(r"/cards/302104/\w+/", "/cards/302104/KEY/", image) for image in data["image"]] == [
        f"{SITE}/cards/302104/KEY/1200x675.jpg", f"{SITE}/cards/302104/KEY/1200x900.jpg", f"{SITE}/cards/302104/KEY/1200x1200.jpg"]
    assert data["articleSection"] == "Politics"
    assert data["keywords"] == ["Iran", "Iraq"]
    assert data["isAccessibleForFree"] is True
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["url"] == url
    assert data["identifier"]["value"] == "302104"
    assert data["inLanguage"] == "en"
    assert "correction" not in data  # no corrections on this story


def test_a_persian_story_says_so(client):
    story = make_article(headline="دیدار ظریف و الاعرجی", language="fa")
    head = _head(client, story.get_absolute_url())
    assert head.json_ld[0]["inLanguage"] == "fa"
    assert head.values("og:locale") == ["fa_IR"]


def test_a_draft_preview_renders_its_metadata():
    """A newsroom preview of a draft (no publication time yet) renders, dated by its creation."""
    draft = make_article(status=Article.Status.DRAFT, published_at=None, headline="Not yet")
    html = render_to_string("syndication/_article_meta.html", {"article": draft, "head": article_head(draft)})
    assert f'content="{rfc3339(draft.created_at)}"' in html and '"headline": "Not yet"' in html


def test_logo_and_image_follow_the_setting(client, story, settings):
    settings.SITE_LOGO_URL = "https://cdn.example.net/logo.png"
    (data,) = _head(client, story.get_absolute_url()).json_ld
    assert data["publisher"]["logo"]["url"] == "https://cdn.example.net/logo.png"
    assert "https://cdn.example.net/logo.png" not in data["image"]  # a logo is no picture of the story


def test_corrections_become_correction_comments():
    """Each correction of a story is a CorrectionComment, read by the story page or the ORM alike."""
    story = make_article()
    changes.correct(story, by=make_user("editor"), text="An earlier version misnamed the adviser.")
    correction = story.corrections.get()
    expected = [{"@type": "CorrectionComment", "text": "An earlier version misnamed the adviser.",
                 "datePublished": rfc3339(correction.created_at)}]
    assert metadata.corrections(storypage.story(story.pk)) == expected
    assert metadata.corrections(Article.objects.get(pk=story.pk)) == expected
    assert metadata.corrections(make_article()) == []


def test_json_ld_cannot_be_broken_out_of(client):
    """A headline holding </script> stays inside the JSON-LD: <, > and & are escaped as in json_script."""
    story = make_article(headline="</script><script>alert(1)</script> & more")
    html = client.get(story.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block
    assert json.loads(block)["headline"] == "</script><script>alert(1)</script> & more"


def test_open_graph_and_twitter_cards(client, story, settings):
    settings.TWITTER_SITE = "@IranDaily"
    head = _head(client, story.get_absolute_url())
    url = SITE + story.get_absolute_url()
    assert head.values("og:type") == ["article"]
    assert head.values("og:title") == [story.headline]
    assert head.values("og:description") == ["Zarif met al-Araji."]
    assert head.values("og:url") == [url]
    assert head.values("og:site_name") == ["Masthead Daily"]
    assert head.values("og:image")[0].startswith(SITE)
    assert head.values("article:published_time") == ["2021-04-12T05:35:00Z"]
    assert head.values("article:section") == ["Politics"]
    assert head.values("article:tag") == ["Iran", "Iraq"]
    assert head.values("twitter:card") == ["summary_large_image"]
    assert head.values("twitter:site") == ["@IranDaily"]
    assert head.values("twitter:title") == [story.headline]
    assert head.values("description") == ["Zarif met al-Araji."]
    assert [link["href"] for link in head.links if link.get("rel") == "canonical"] == [url]


def test_hreflang_links_join_the_language_editions(client):
    english = make_article(headline="Zarif meets al-Araji", language="en")
    persian = make_article(headline="دیدار ظریف و الاعرجی", language="fa")
    alone = make_article(headline="Only in English")
    for edition in (english, persian):
        LanguageEdition.objects.create(article=edition, story="zarif-araji")
    expected = [("en", SITE + english.get_absolute_url()), ("fa", SITE + persian.get_absolute_url())]
    for page in (english, persian):
        links = [(link["hreflang"], link["href"]) for link in _head(client, page.get_absolute_url()).links if "hreflang" in link]
        assert links == expected
    assert not [link for link in _head(client, alone.get_absolute_url()).links if "hreflang" in link]


def test_home_page_describes_the_paper(client, story):
    head = _head(client, "/")
    (blocks,) = head.json_ld
    assert [block["@type"] for block in blocks] == ["NewsMediaOrganization", "WebSite"]
    assert blocks[0]["logo"]["url"].startswith(SITE)
    assert head.values("og:type") == ["website"]
    assert head.values("og:title") == ["Masthead Daily"]
    feeds = {link["type"]: link["href"] for link in head.links if link.get("rel") == "alternate"}
    assert feeds == {"application/rss+xml": f"{SITE}/feeds/rss/", "application/atom+xml": f"{SITE}/feeds/atom/",
                     "application/feed+json": f"{SITE}/feeds/json/"}
    assert [link["href"] for link in head.links if link.get("rel") == "canonical"] == [f"{SITE}/"]


def test_a_later_page_of_a_list_is_its_own_canonical_page(client):
    section = make_section(slug="economy")
    for _ in range(25):
        make_article(section=section)
    older = re.search(r'href="\?before=([^"]+)"', client.get("/section/economy/").content.decode()).group(1)
    head = _head(client, f"/section/economy/?before={older}&utm_source=x")
    assert [link["href"] for link in head.links if link.get("rel") == "canonical"] == [f"{SITE}/section/economy/?before={older}"]


@pytest.mark.parametrize("path,title,feed", [
    ("/section/politics/", "Politics", "/feeds/section/politics/rss/"),
    ("/tag/iran/", "Iran", "/feeds/tag/iran/rss/"),
    ("/author/sara-karimi/", "Sara Karimi", "/feeds/author/sara-karimi/rss/"),
])
def test_section_tag_and_author_pages_have_their_own_metadata(client, story, path, title, feed):
    head = _head(client, path)
    (data,) = head.json_ld
    assert data["@type"] == "CollectionPage" and data["name"] == title and data["url"] == SITE + path
    assert head.values("og:title") == [title]
    assert [link["href"] for link in head.links if link.get("rel") == "canonical"] == [SITE + path]
    assert SITE + feed in [link["href"] for link in head.links if link.get("type") == "application/rss+xml"]


def test_an_organisation_author_carries_its_address(client, settings):
    """A story without a byline credits its source agency (with the address configured for it) or the paper."""
    settings.SOURCE_URLS = {"Press TV": "https://www.presstv.ir"}
    credited = make_article(source="Press TV")
    unknown = make_article(source="Mehr")
    ours = make_article()
    assert _head(client, credited.get_absolute_url()).json_ld[0]["author"] == [
        {"@type": "Organization", "name": "Press TV", "url": "https://www.presstv.ir"}]
    assert _head(client, unknown.get_absolute_url()).json_ld[0]["author"] == [{"@type": "Organization", "name": "Mehr"}]
    assert _head(client, ours.get_absolute_url()).json_ld[0]["author"] == [
        {"@type": "Organization", "name": "Masthead Daily", "url": f"{SITE}/"}]


def test_source_addresses_are_read_from_the_environment(monkeypatch):
    """MASTHEAD_SOURCE_URLS holds Name=address pairs separated by |."""
    import importlib

    from masthead import settings as masthead_settings

    monkeypatch.setenv("MASTHEAD_SOURCE_URLS", "Press TV=https://www.presstv.ir | IRNA=https://en.irna.ir")
    try:
        assert importlib.reload(masthead_settings).SOURCE_URLS == {"Press TV": "https://www.presstv.ir",
                                                                   "IRNA": "https://en.irna.ir"}
    finally:
        monkeypatch.delenv("MASTHEAD_SOURCE_URLS")
        importlib.reload(masthead_settings)
