from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.delivery import pagecache
from masthead.stories import changes
from masthead.news.models import Article
from masthead.syndication import sitemaps
from tests.news.factories import make_article, make_section, make_tag
from tests.stories.factories import SYSTEM

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SITE = "http://127.0.0.1:8000"


def _xml(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)


def test_robots_txt_names_the_sitemaps_and_keeps_crawlers_out_of_the_newsroom(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /newsroom/" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert f"Sitemap: {SITE}/sitemaps/news.xml" in lines


def test_sitemap_index_lists_one_page_per_news_id_range_holding_stories(client):
    """Article sitemaps are paged by News ID in ranges of 50,000; empty ranges get no page."""
    section = make_section()
    for news_id in (5, 49_999, 50_000, 120_001):
        make_article(id=news_id, section=section)
    make_article(id=160_000, section=section, status=Article.Status.DRAFT, published_at=None)
    index = _xml(client, "/sitemap.xml")
    locations = [entry.findtext(SM + "loc") for entry in index.findall(SM + "sitemap")]
    assert locations == [f"{SITE}/sitemaps/pages.xml", f"{SITE}/sitemaps/news.xml", f"{SITE}/fa/sitemaps/pages.xml",
                         f"{SITE}/sitemaps/articles-0.xml", f"{SITE}/sitemaps/articles-1.xml",
                         f"{SITE}/sitemaps/articles-2.xml"]
    assert all(entry.findtext(SM + "lastmod").endswith("Z") for entry in index.findall(SM + "sitemap")[3:])
    pages = {page: [url.findtext(SM + "loc") for url in _xml(client, f"/sitemaps/articles-{page}.xml").findall(SM + "url")]
             for page in (0, 1, 2)}
    assert [loc.split("/")[4] for loc in pages[0]] == ["5", "49999"]
    assert [loc.split("/")[4] for loc in pages[1]] == ["50000"]
    assert [loc.split("/")[4] for loc in pages[2]] == ["120001"]
    assert client.get("/sitemaps/articles-3.xml").status_code == 404


def test_a_page_can_never_pass_50000_urls():
    """Ranges of 50,000 News IDs hold at most 50,000 stories: the protocol's limit per sitemap."""
    assert sitemaps.URLS_PER_PAGE == 50_000


def test_article_sitemap_urls_are_escaped_and_carry_lastmod(client):
    story = make_article(id=7, headline="گفت‌وگوی ظریف و الاعرجی", language="fa")
    url = _xml(client, "/sitemaps/articles-0.xml").find(SM + "url")
    loc = url.findtext(SM + "loc")
    assert loc.startswith(f"{SITE}/fa/news/7/%D")  # in the Persian edition, its slug percent-encoded
    assert url.findtext(SM + "lastmod") == story.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_article_sitemap_page_costs_the_same_queries_whatever_its_size(client):
    """Rows are read as tuples in one query, never one query per story."""
    section = make_section()
    make_article(id=1, section=section)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/sitemaps/articles-0.xml").status_code == 200
        return len(captured)

    few = queries()
    Article.objects.bulk_create([
        Article(id=n, section=section, headline=f"Story {n}", slug=f"story-{n}", status=Article.Status.PUBLISHED,
                published_at=timezone.now() - timedelta(days=3)) for n in range(2, 300)])
    pagecache.clear()  # the page was cached by the first read
    assert queries() == few


@pytest.mark.django_db(transaction=True)
def test_unpublished_stories_leave_the_sitemap(client):
    """Unpublishing removes the article from the sitemap."""
    story = make_article(id=11)
    assert f"/news/11/{story.slug}/" in client.get("/sitemaps/articles-0.xml").content.decode()
    story = changes.unpublish(story, by=SYSTEM)
    assert client.get("/sitemaps/articles-0.xml").status_code == 404


def test_news_sitemap_holds_the_last_48_hours(client):
    """Google News sitemap: url, news:publication (name, language), publication_date and title; each
    edition's stories in that edition's sitemap."""
    section = make_section()
    fresh = make_article(section=section, headline="Fresh & new <story>", published_at=timezone.now() - timedelta(hours=3))
    persian = make_article(section=section, headline="خبر تازه", language="fa", published_at=timezone.now() - timedelta(hours=47))
    make_article(section=section, headline="Two days old", published_at=timezone.now() - timedelta(hours=49))
    make_article(section=section, headline="Scheduled", published_at=timezone.now() + timedelta(hours=1))
    urlset = _xml(client, "/sitemaps/news.xml")
    urls = urlset.findall(SM + "url")
    assert len(urls) == 1
    first = urls[0]
    assert first.findtext(SM + "loc") == SITE + fresh.get_absolute_url()
    news = first.find(NEWS + "news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Masthead Daily"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(NEWS + "publication_date") == fresh.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert news.findtext(NEWS + "title") == "Fresh & new <story>"
    [persian_url] = _xml(client, "/fa/sitemaps/news.xml").findall(SM + "url")
    assert persian_url.findtext(SM + "loc") == SITE + persian.get_absolute_url()
    assert persian_url.findtext(SM + "loc").startswith(f"{SITE}/fa/news/{persian.pk}/")
    assert persian_url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}language") == "fa"
    assert persian_url.findtext(f"{NEWS}news/{NEWS}title") == persian.headline


def test_news_sitemap_stops_at_1000_stories(client):
    section = make_section()
    now = timezone.now()
    Article.objects.bulk_create([
        Article(section=section, headline=f"Story {n}", slug=f"story-{n}", status=Article.Status.PUBLISHED,
                published_at=now - timedelta(minutes=n + 1)) for n in range(1005)])
    urls = _xml(client, "/sitemaps/news.xml").findall(SM + "url")
    assert len(urls) == 1000
    assert urls[0].findtext(f"{NEWS}news/{NEWS}title") == "Story 0"


def test_pages_sitemap_lists_home_sections_tags_and_authors(client):
    section = make_section(slug="politics")
    tag = make_tag(slug="iran")
    make_tag(slug="unused")
    make_article(section=section, tags=[tag])
    locations = {url.findtext(SM + "loc") for url in _xml(client, "/sitemaps/pages.xml").findall(SM + "url")}
    assert {f"{SITE}/", f"{SITE}/section/politics/", f"{SITE}/tag/iran/"} <= locations
    assert f"{SITE}/tag/unused/" not in locations


def test_sitemaps_honour_conditional_get(client):
    make_article()
    first = client.get("/sitemap.xml")
    assert client.get("/sitemap.xml", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_an_empty_news_sitemap_still_holds_a_url_and_the_index_leaves_it_out(client):
    """With no story in the last 48 hours the news sitemap holds the home page (a urlset needs a url) and no news tags."""
    make_article(published_at=timezone.now() - timedelta(days=30))
    urlset = _xml(client, "/sitemaps/news.xml")
    assert [url.findtext(SM + "loc") for url in urlset.findall(SM + "url")] == [f"{SITE}/"]
    assert urlset.find(f".//{NEWS}news") is None
    index = [entry.findtext(SM + "loc") for entry in _xml(client, "/sitemap.xml").findall(SM + "sitemap")]
    assert f"{SITE}/sitemaps/news.xml" not in index
    assert f"{SITE}/sitemaps/pages.xml" in index
    make_article()
    pagecache.clear()  # the publish's purge runs after commit, which this test's transaction never reaches
    assert f"{SITE}/sitemaps/news.xml" in [e.findtext(SM + "loc") for e in _xml(client, "/sitemap.xml").findall(SM + "sitemap")]
    assert _xml(client, "/sitemaps/news.xml").find(f".//{NEWS}news") is not None


def test_a_sitemap_pages_newest_change_is_read_from_the_sitemap_index_alone():
    """Each article sitemap page's lastmod comes from article_sitemap over its News ID range, never the table's rows
    (from the rows, each of the 20 pages of a 1,000,000-story archive scanned the whole table). On SQLite also with
    the statistics of a 300,000-story archive of published stories, by which its planner judged the index worthless
    and read each page's 50,000 rows (150 ms a page, against 16 ms from the index)."""
    story = make_article(published_at=timezone.now() - timedelta(days=1))
    if connection.vendor == "postgresql":
        # An archive whose statistics the planner reads: 3,000 published stories over 60 sitemap pages.
        # Without them it weighs a table of one row by whatever statistics an earlier run left behind.
        Article.objects.bulk_create(
            Article(id=n * 500, headline=f"Archived {n}", slug=f"archived-{n}", section=story.section,
                    status=Article.Status.PUBLISHED, published_at=story.published_at - timedelta(minutes=n))
            for n in range(1, 3001))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE news_article")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'news_article'")
            cursor.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('news_article', %s, %s)", [
                ("article_sitemap", "300000 300000 1 1 1 1 1"), ("article_visible", "300000 300000 1 1"),
                ("article_published", "300000 1"), ("article_changed", "300000 1 1")])
            cursor.execute("ANALYZE sqlite_schema")  # the planner reads the statistics afresh
    with CaptureQueriesContext(connection) as captured:
        assert sitemaps.article_pages()
    newest = [q["sql"] for q in captured.captured_queries if "MAX(" in q["sql"].upper()][-1]  # the last page, 100 stories
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + newest.replace("%", "%%"))
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index Only Scan using article_sitemap" in plan, plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + newest.replace("%", "%%"))
            plan = "\n".join(row[-1] for row in cursor.fetchall())
            assert "USING COVERING INDEX article_sitemap" in plan, plan
