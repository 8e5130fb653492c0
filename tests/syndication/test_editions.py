"""Each edition publishes its own feeds and sitemaps: the Persian edition's under /fa/, with its own
stories, its section names and its language; the article sitemaps link a story to its translation."""

import json
from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.utils import timezone

from masthead.news.models import Article
from masthead.stories import changes
from tests.news.factories import make_article, make_section
from tests.ingest.factories import run_import
from tests.stories.factories import SYSTEM
from tests.syndication.factories import REPORTER, make_token, make_user

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def papers():
    politics = make_section(name="Politics", name_fa="سیاست", slug="politics")
    english = make_article(id=302104, section=politics, headline="Iran FM tells foreign powers: leave the region")
    persian = make_article(id=302106, section=politics, language="fa", headline="ظریف: قدرت‌های خارجی منطقه را ترک کنند",
                           summary="دیدار ظریف و الاعرجی در تهران.")
    alone = make_article(id=302110, section=politics, language="fa", headline="بازار تهران آرام ماند")
    changes.link_translation(persian, of=english, by=SYSTEM)
    return {"politics": politics, "english": english, "persian": persian, "alone": alone}


def test_persian_rss_holds_persian_stories_in_persian(client, papers):
    """/fa/feeds/rss/ is valid RSS 2.0 with <language>fa</language>, the Persian stories only, at their /fa/ addresses."""
    response = client.get("/fa/feeds/rss/")
    assert response.status_code == 200
    channel = ElementTree.fromstring(response.content).find("channel")
    assert channel.findtext("language") == "fa"
    assert channel.findtext("title") == "Masthead Daily · فارسی"
    assert channel.findtext("link") == f"{SITE}/fa/"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [papers["alone"].headline, papers["persian"].headline]
    assert all(item.findtext("link").startswith(f"{SITE}/fa/news/") for item in items)
    assert [c.text for c in items[0].findall("category")] == ["سیاست"]
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.language == "fa"


def test_english_feed_leaves_the_persian_stories_out(client, papers):
    """/feeds/rss/ is the English edition's: English stories, <language>en</language>, English section names."""
    channel = ElementTree.fromstring(client.get("/feeds/rss/").content).find("channel")
    assert channel.findtext("language") == "en"
    assert channel.findtext("title") == "Masthead Daily"
    assert [item.findtext("title") for item in channel.findall("item")] == [papers["english"].headline]
    assert [c.text for c in channel.find("item").findall("category")] == ["Politics"]


def test_persian_section_feed_is_titled_with_the_persian_section_name(client, papers):
    """The Persian edition's section Atom feed: xml:lang fa, the section's Persian name, valid Atom."""
    response = client.get("/fa/feeds/section/politics/atom/")
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "fa"
    assert feed.findtext(ATOM + "title") == "سیاست · Masthead Daily · فارسی"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{SITE}/fa/feeds/section/politics/atom/"
    assert len(feed.findall(ATOM + "entry")) == 2
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"


def test_persian_json_feed_and_legacy_feed(client, papers):
    """The JSON Feed and the old /News/Feed address answer in each edition too."""
    document = client.get("/fa/feeds/json/").json()
    assert document["language"] == "fa"
    assert document["feed_url"] == f"{SITE}/fa/feeds/json/"
    assert [item["id"] for item in document["items"]] == [f"{SITE}/news/302110/", f"{SITE}/news/302106/"]
    legacy = ElementTree.fromstring(client.get(f"/fa/News/Feed?id={papers['politics'].pk}").content).find("channel")
    assert legacy.findtext("language") == "fa"
    assert legacy.findtext("title").startswith("سیاست")


def test_persian_pages_link_the_persian_feeds(client, papers):
    """A Persian page advertises the Persian edition's feeds, not the English ones."""
    html = client.get("/fa/").content.decode()
    assert f'href="{SITE}/fa/feeds/rss/"' in html
    assert f'href="{SITE}/feeds/rss/"' not in html


def test_sitemap_index_lists_both_editions(client, papers):
    """The index names each edition's pages sitemap and news sitemap (each holds a fresh story)."""
    index = ElementTree.fromstring(client.get("/sitemap.xml").content)
    locations = [entry.findtext(SM + "loc") for entry in index.findall(SM + "sitemap")]
    assert locations[:4] == [f"{SITE}/sitemaps/pages.xml", f"{SITE}/sitemaps/news.xml",
                             f"{SITE}/fa/sitemaps/pages.xml", f"{SITE}/fa/sitemaps/news.xml"]
    robots = client.get("/robots.txt").content.decode().splitlines()
    assert f"Sitemap: {SITE}/fa/sitemaps/news.xml" in robots
    assert "Disallow: /fa/search/" in robots


def test_persian_news_sitemap_names_its_language(client, papers):
    """/fa/sitemaps/news.xml lists the Persian stories with <news:language>fa</news:language> at /fa/ addresses."""
    urls = ElementTree.fromstring(client.get("/fa/sitemaps/news.xml").content).findall(SM + "url")
    assert [url.findtext(SM + "loc") for url in urls] == [SITE + papers["alone"].get_absolute_url(),
                                                           SITE + papers["persian"].get_absolute_url()]
    assert {url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}language") for url in urls} == {"fa"}
    english = ElementTree.fromstring(client.get("/sitemaps/news.xml").content).findall(SM + "url")
    assert [url.findtext(f"{NEWS}news/{NEWS}title") for url in english] == [papers["english"].headline]


def test_persian_pages_sitemap_lists_the_persian_home_and_sections(client, papers):
    locations = {url.findtext(SM + "loc") for url in
                 ElementTree.fromstring(client.get("/fa/sitemaps/pages.xml").content).findall(SM + "url")}
    assert {f"{SITE}/fa/", f"{SITE}/fa/section/politics/"} <= locations


def test_article_sitemap_links_a_story_and_its_translation(client, papers):
    """Each of a linked pair names both editions with xhtml:link hreflang; a story without a translation names none."""
    urls = {url.findtext(SM + "loc"): url for url in
            ElementTree.fromstring(client.get("/sitemaps/articles-6.xml").content).findall(SM + "url")}
    english, persian, alone = (SITE + papers[name].get_absolute_url() for name in ("english", "persian", "alone"))
    assert persian.startswith(f"{SITE}/fa/news/302106/")
    pair = [("en", english), ("fa", persian)]
    for loc in (english, persian):
        assert [(link.get("hreflang"), link.get("href")) for link in urls[loc].findall(XHTML + "link")] == pair
    assert urls[alone].findall(XHTML + "link") == []


def test_an_unpublished_translation_leaves_the_alternates(client, papers):
    """hreflang links name only editions a reader can open: unpublishing the Persian story drops the pair."""
    changes.unpublish(papers["persian"], by=SYSTEM)
    url = next(url for url in ElementTree.fromstring(client.get("/sitemaps/articles-6.xml").content).findall(SM + "url")
               if url.findtext(SM + "loc").startswith(f"{SITE}/news/302104/"))
    assert url.findall(XHTML + "link") == []


@pytest.mark.django_db(transaction=True)
def test_a_persian_publish_refreshes_the_cached_persian_feed(client):
    """The /fa/ feed is page-cached under 'feeds' like the English one, and a Persian publish purges it."""
    section = make_section(slug="economy", name_fa="اقتصاد")
    make_article(section=section, language="fa", headline="خبر قدیمی")
    client.get("/fa/feeds/rss/")
    cached = client.get("/fa/feeds/rss/")
    assert cached["X-Cache"] == "hit"
    assert "feeds" in cached["Surrogate-Key"].split()
    draft = changes.create(Article(section=section, language="fa", headline="قرارداد نفتی امضا شد",
                                   status=Article.Status.DRAFT), by=SYSTEM)
    changes.publish(draft, by=SYSTEM)
    response = client.get("/fa/feeds/rss/")
    assert response["X-Cache"] == "miss"
    assert "قرارداد نفتی امضا شد" in response.content.decode()


# The API's link between editions ------------------------------------------------------------

def _write(client, path, data, token, method="post"):
    return getattr(client, method)(path, data=json.dumps(data), content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {token}")


def _associations(item) -> list[tuple[str, str, str]]:
    return [(link["name"], link["language"], link["altids"][0]["value"]) for link in item.get("associations", [])]


def test_ninjs_names_each_story_s_translation(client, papers):
    """GET of a linked story, and the lists, carry the other edition as an association named 'translation'."""
    english = client.get("/api/v1/articles/302104").json()
    assert _associations(english) == [("translation", "fa", "302106")]
    assert english["associations"][0]["uri"] == f"{SITE}/news/302106/"
    assert english["associations"][0]["headlines"][0]["value"] == "ظریف: قدرت‌های خارجی منطقه را ترک کنند"
    listed = {item["altids"][0]["value"]: item for item in client.get("/api/v1/articles?limit=10").json()["items"]}
    assert _associations(listed["302106"]) == [("translation", "en", "302104")]
    assert "associations" not in listed["302110"]
    synced = {item["altids"][0]["value"]: item for item in client.get(
        "/api/v1/articles?since=2000-01-01T00:00:00Z&limit=10").json()["items"]}
    assert _associations(synced["302104"]) == [("translation", "fa", "302106")]


def test_ninjs_leaves_out_a_translation_readers_cannot_see(client, papers):
    """An unpublished edition is no association for readers; an editor's token still sees it."""
    changes.unpublish(papers["persian"], by=SYSTEM)
    assert "associations" not in client.get("/api/v1/articles/302104").json()
    token = make_token(make_user(groups=["editor"]))
    seen = client.get("/api/v1/articles/302104", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert _associations(seen) == [("translation", "fa", "302106")]


@pytest.mark.django_db(transaction=True)
def test_the_api_links_a_new_story_to_its_translation(client):
    """POST with translation_of links both ways, like the newsroom's field: both pages then carry hreflang."""
    section = make_section(slug="politics")
    english = make_article(section=section, headline="Oil deal signed")
    token = make_token(make_user(groups=["editor"]))
    client.get(english.get_absolute_url())  # cached before the link: the link must purge it
    response = _write(client, "/api/v1/articles", {"headline": "قرارداد نفتی امضا شد", "section": "politics",
                                                   "language": "fa", "translation_of": english.pk}, token)
    assert response.status_code == 201, response.content
    news_id = int(response.json()["altids"][0]["value"])
    assert _associations(response.json()) == [("translation", "en", str(english.pk))]
    assert _write(client, f"/api/v1/articles/{news_id}/publish", {}, token).status_code == 200
    page = client.get(english.get_absolute_url())
    assert page["X-Cache"] == "miss"
    assert f'hreflang="fa" href="{SITE}/fa/news/{news_id}/' in page.content.decode()


def test_the_api_links_an_edited_story_and_refuses_bad_links(client, papers):
    """PATCH links an existing story; a link to itself, to its own language, to no story or a non-number is refused."""
    token = make_token(make_user(groups=["editor"]))
    english = make_article(section=papers["politics"], headline="Markets calm in Tehran")
    path = f"/api/v1/articles/{english.pk}"
    cases = [(english.pk, 409, "a story cannot be its own translation"),
             (302104, 409, "story 302104 is in 'en' too: a translation is in another edition's language"),
             (999999, 404, "no story with News ID 999999"),
             ("302110", 400, "must be the News ID (a whole number) of the same story in another edition"),
             (True, 400, "must be the News ID (a whole number) of the same story in another edition")]
    for value, status, message in cases:
        response = _write(client, path, {"headline": "Changed", "translation_of": value}, token, method="patch")
        assert response.status_code == status, response.content
        assert response.json()["error"] == {"status": status, "message": message, "parameter": "translation_of"}
    assert Article.objects.get(pk=english.pk).headline == "Markets calm in Tehran"  # refused whole: nothing kept
    response = _write(client, path, {"translation_of": 302110}, token, method="patch")
    assert response.status_code == 200, response.content
    assert _associations(response.json()) == [("translation", "fa", "302110")]
    assert _associations(client.get("/api/v1/articles/302110").json()) == [("translation", "en", str(english.pk))]


def test_a_reporter_cannot_link_a_story_they_may_not_edit(client, papers):
    """Linking changes both stories, so it needs the right to edit both: a reporter's token is refused with 403."""
    reporter = make_user(perms=REPORTER)
    token = make_token(reporter)
    created = _write(client, "/api/v1/articles", {"headline": "بازار آرام", "section": "politics", "language": "fa",
                                                  "translation_of": 302104}, token)
    assert created.status_code == 403, created.content
    assert "may not" in created.json()["error"]["message"]
    assert not Article.objects.filter(headline="بازار آرام").exists()


def test_the_api_round_trips_a_translation_through_the_importer(client, papers, tmp_path):
    """ninjs the API writes, imported into another site, carries the link: the importer reads it back."""
    items = [client.get(f"/api/v1/articles/{pk}").json() for pk in (302104, 302106)]
    Article.objects.filter(pk__in=[302104, 302106]).delete()
    feed = tmp_path / "wire.jsonl"
    feed.write_text("\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n", encoding="utf-8")
    ran = run_import(feed, format="ninjs")
    assert ran.returncode == 0, ran.stderr
    english = Article.objects.get(headline="Iran FM tells foreign powers: leave the region")
    persian = Article.objects.get(language="fa", headline__startswith="ظریف")
    assert _associations(client.get(f"/api/v1/articles/{english.pk}").json()) == [("translation", "fa", str(persian.pk))]
