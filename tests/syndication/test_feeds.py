from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.utils import timezone

from masthead.stories import changes
from masthead.news.models import Article
from tests.news.factories import make_article, make_author, make_section, make_tag
from tests.stories.factories import SYSTEM

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


@pytest.fixture
def paper():
    politics = make_section(name="Politics", slug="politics")
    sport = make_section(name="Sport", slug="sport")
    iran, author = make_tag(name="Iran", slug="iran"), make_author(name="Sara Karimi", slug="sara-karimi")
    lead = make_article(id=302104, section=politics, headline="Iran FM tells foreign powers: leave the region",
                        summary="Zarif met al-Araji.", body="Zarif said **the region** can keep itself secure.",
                        tags=[iran], authors=[author])
    other = make_article(id=302105, section=sport, headline="Mariners set off", summary="To the Champions League.")
    make_article(section=politics, headline="Draft story", status=Article.Status.DRAFT, published_at=None)
    make_article(section=politics, headline="Scheduled story", published_at=timezone.now() + timedelta(hours=2))
    return {"lead": lead, "other": other, "politics": politics, "iran": iran, "author": author}


def test_rss_has_the_required_elements_and_news_id_guids(client, paper):
    """RSS 2.0: channel title, link, description; each item a title, link and the News ID address as GUID."""
    response = client.get("/feeds/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ElementTree.fromstring(response.content).find("channel")
    assert channel.findtext("title") == "Masthead Daily"
    assert channel.findtext("link") == "http://127.0.0.1:8000/"
    assert channel.findtext("description")
    items = channel.findall("item")
    assert [item.findtext("guid") for item in items] == ["http://127.0.0.1:8000/news/302105/",
                                                          "http://127.0.0.1:8000/news/302104/"]
    lead = items[1]
    assert lead.findtext("title") == "Iran FM tells foreign powers: leave the region"
    assert lead.findtext("link") == "http://127.0.0.1:8000/news/302104/iran-fm-tells-foreign-powers-leave-the-region/"
    assert lead.findtext("description") == "Zarif met al-Araji."
    assert lead.findtext("pubDate")
    assert {c.text for c in lead.findall("category")} == {"Politics", "Iran"}
    assert "<strong>the region</strong>" in lead.findtext(CONTENT)
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.entries[1].id == "http://127.0.0.1:8000/news/302104/"
    assert parsed.entries[1].author == "Sara Karimi"


def test_atom_has_the_required_elements(client, paper):
    """Atom: feed id, title, updated, author and self link; each entry id, title, updated, link."""
    response = client.get("/feeds/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    for name in ("id", "title", "updated"):
        assert feed.findtext(ATOM + name), name
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Masthead Daily"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://127.0.0.1:8000/feeds/atom/"
    entries = feed.findall(ATOM + "entry")
    assert len(entries) == 2
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert entry.findtext(ATOM + name), name
        assert entry.find(ATOM + "link").get("href").startswith("http://127.0.0.1:8000/news/")
    assert entries[1].findtext(ATOM + "id") == "http://127.0.0.1:8000/news/302104/"
    assert entries[1].find(ATOM + "content").get("type") == "html"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert "<strong>the region</strong>" in parsed.entries[1].content[0].value


def test_summary_only_when_full_text_is_off(client, paper, settings):
    """With MASTHEAD_FEED_FULL_TEXT off, items carry the summary and no body."""
    settings.FEED_FULL_TEXT = False
    rss = client.get("/feeds/rss/").content
    assert b"content:encoded" not in rss and b"keep itself secure" not in rss
    assert b"Zarif met al-Araji." in rss
    assert b"<content" not in client.get("/feeds/atom/").content
    item = client.get("/feeds/json/").json()["items"][1]
    assert "content_html" not in item and item["content_text"] == "Zarif met al-Araji."


def test_json_feed_follows_version_1_1(client, paper):
    """JSON Feed 1.1: version, title, items; each item an id and content; authors as a list."""
    response = client.get("/feeds/json/")
    assert response["Content-Type"].startswith("application/feed+json")
    feed = response.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Masthead Daily"
    assert feed["feed_url"] == "http://127.0.0.1:8000/feeds/json/"
    lead = feed["items"][1]
    assert lead["id"] == "http://127.0.0.1:8000/news/302104/"
    assert lead["url"].endswith("/news/302104/iran-fm-tells-foreign-powers-leave-the-region/")
    assert "<strong>the region</strong>" in lead["content_html"]
    assert lead["authors"] == [{"name": "Sara Karimi", "url": "http://127.0.0.1:8000/author/sara-karimi/"}]
    assert lead["date_published"].startswith(paper["lead"].published_at.isoformat()[:19])
    # feedparser 6.0 reads no JSON Feed: the spec's required members are checked here instead.
    assert all(item["id"] and ("content_html" in item or "content_text" in item) for item in feed["items"])
    assert len(feed["items"]) == 2


@pytest.mark.parametrize("kind,slug,headlines", [
    ("section", "politics", ["Iran FM tells foreign powers: leave the region"]),
    ("tag", "iran", ["Iran FM tells foreign powers: leave the region"]),
    ("author", "sara-karimi", ["Iran FM tells foreign powers: leave the region"]),
    ("section", "sport", ["Mariners set off"]),
])
@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_section_tag_and_author_feeds_hold_only_their_stories(client, paper, kind, slug, headlines, fmt):
    response = client.get(f"/feeds/{kind}/{slug}/{fmt}/")
    if fmt == "json":
        feed = response.json()
        titles, title = [item["title"] for item in feed["items"]], feed["title"]
    else:
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        titles, title = [entry.title for entry in parsed.entries], parsed.feed.title
    assert titles == headlines
    assert title.startswith({"politics": "Politics", "sport": "Sport", "iran": "Iran", "sara-karimi": "Sara Karimi"}[slug])


def test_unknown_section_feed_is_404(client, paper):
    assert client.get("/feeds/section/nowhere/rss/").status_code == 404
    assert client.get("/feeds/tag/nowhere/json/").status_code == 404


def test_legacy_feed_address_keeps_working(client, paper):
    """``/News/Feed`` is the whole paper's RSS; ``/News/Feed?id=<section id>`` one section's."""
    everything = feedparser.parse(client.get("/News/Feed").content)
    assert [e.id for e in everything.entries] == ["http://127.0.0.1:8000/news/302105/", "http://127.0.0.1:8000/news/302104/"]
    politics = feedparser.parse(client.get(f"/News/Feed?id={paper['politics'].pk}").content)
    assert [e.id for e in politics.entries] == ["http://127.0.0.1:8000/news/302104/"]
    assert politics.feed.title == "Politics · Masthead Daily"
    assert client.get("/News/Feed?id=999999").status_code == 404
    assert client.get("/News/Feed?id=abc").status_code == 404


def test_feeds_name_the_websub_hub(client, paper, settings):
    settings.WEBSUB_HUB = "https://hub.example.net/"
    rss = ElementTree.fromstring(client.get("/feeds/rss/").content)
    assert rss.find(f"channel/{ATOM}link[@rel='hub']").get("href") == "https://hub.example.net/"
    atom = ElementTree.fromstring(client.get("/feeds/section/politics/atom/").content)
    assert atom.find(f"{ATOM}link[@rel='hub']").get("href") == "https://hub.example.net/"
    assert client.get("/feeds/json/").json()["hubs"] == [{"type": "WebSub", "url": "https://hub.example.net/"}]


def test_without_a_hub_feeds_name_none(client, paper):
    assert b'rel="hub"' not in client.get("/feeds/rss/").content
    assert "hubs" not in client.get("/feeds/json/").json()


@pytest.mark.parametrize("path", ["/feeds/rss/", "/feeds/atom/", "/feeds/json/", "/News/Feed"])
def test_feeds_honour_conditional_get(client, paper, path):
    """A reader that already has the feed gets 304 by ETag or by Last-Modified."""
    first = client.get(path)
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


@pytest.mark.django_db(transaction=True)
def test_feeds_are_page_cached_and_a_publish_refreshes_them(client):
    """Feeds are served from the page cache under 'feeds' and their owners' keys; a publish purges them."""
    section = make_section(slug="economy")
    make_article(section=section, headline="Old news")
    for path in ("/feeds/rss/", "/feeds/section/economy/atom/"):
        client.get(path)
        cached = client.get(path)
        assert cached["X-Cache"] == "hit"
        assert "feeds" in cached["Surrogate-Key"].split()
    assert f"section-{section.pk}" in client.get("/feeds/section/economy/atom/")["Surrogate-Key"].split()
    draft = changes.create(Article(section=section, headline="Oil deal signed", status=Article.Status.DRAFT), by=SYSTEM)
    draft = changes.publish(draft, by=SYSTEM)
    for path in ("/feeds/rss/", "/feeds/section/economy/atom/"):
        response = client.get(path)
        assert response["X-Cache"] == "miss"
        assert b"Oil deal signed" in response.content


@pytest.mark.parametrize("path", ["/News/Feed", "/News/Feed?id={politics}", "/feeds/rss/", "/feeds/section/politics/rss/"])
def test_rss_self_link_is_the_documents_own_address(client, paper, path):
    """Each RSS feed's atom:link rel="self" is the address it was read at (the W3C validator checks it)."""
    path = path.format(politics=paper["politics"].pk)
    channel = ElementTree.fromstring(client.get(path).content).find("channel")
    selves = [link.get("href") for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert selves == ["http://127.0.0.1:8000" + path]


def test_a_name_shared_by_section_and_tag_is_one_category(client):
    """A story in section Iran tagged Iran lists Iran once in JSON Feed tags and RSS categories."""
    iran = make_section(name="Iran", slug="iran-section")
    make_article(section=iran, tags=[make_tag(name="Iran", slug="iran"), make_tag(name="Oil", slug="oil")])
    assert client.get("/feeds/json/").json()["items"][0]["tags"] == ["Iran", "Oil"]
    item = ElementTree.fromstring(client.get("/feeds/rss/").content).find("channel/item")
    assert [c.text for c in item.findall("category")] == ["Iran", "Oil"]
