"""robots.txt, the sitemap index, paged article sitemaps and the Google News sitemap.

Article sitemaps are paged by News ID: page ``n`` holds the visible stories whose id lies in
``[n * 50,000, (n + 1) * 50,000)``, so no page can pass the protocol's 50,000 URLs
(https://www.sitemaps.org/protocol.html#index), a page is one range scan of the primary key
whatever the archive's size, and a story keeps its page for good. Rows are read as tuples
(``values_list``), never as model instances, and written with plain string formatting.
Sections, tags and authors are few enough for Django's sitemaps framework.

Each edition has its own pages sitemap and Google News sitemap (``/fa/sitemaps/news.xml`` lists the
Persian stories with ``<news:language>fa</news:language>``); the index lists both editions', and
the article sitemaps hold both editions' stories at their own addresses, each story linked to its
translation with ``xhtml:link rel="alternate" hreflang``:
https://developers.google.com/search/docs/specialty/international/localized-versions#sitemap
"""

from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.db import connection
from django.db.models import CharField, Max
from django.db.models.functions import Cast, Coalesce
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import iri_to_uri
from django.utils.http import urlsplit
from django.utils.translation import gettext as _

from masthead import characters, editions, house, parameters
from masthead.news.models import Article, Author, Section, Tag
from masthead.delivery import keys
from masthead.news.caching import cacheable
from masthead.syndication.models import LanguageEdition

URLS_PER_PAGE = 50_000
# Google News sitemaps list stories from the last two days, at most 1,000 of them:
# https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap
NEWS_WINDOW = timedelta(hours=48)
NEWS_MAX_URLS = 1_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_TYPE = "application/xml; charset=utf-8"


def _loc(path: str) -> str:
    return escape(iri_to_uri(settings.SITE_URL + path))


def _story_loc(site: str, news_id: int, slug: str, language: str) -> str:
    # Slugs hold only word characters and hyphens: nothing to escape for XML, and only
    # non-ASCII ones need percent-encoding. This runs 50,000 times a page.
    return f"{site}{editions.prefix(language)}/news/{news_id}/{slug if slug.isascii() else iri_to_uri(slug)}/"


def _w3c(moment) -> str:
    return house.machine(moment) if moment is not None else ""


def robots(request):
    """robots.txt: keep crawlers out of the newsroom, search results and print copies; name the sitemaps."""
    lines = ["User-agent: *", "Disallow: /newsroom/"]
    for language in editions.languages():
        lines += [f"Disallow: {editions.prefix(language)}/search/", f"Disallow: {editions.prefix(language)}/news/*/print/"]
    lines += ["", f"Sitemap: {settings.SITE_URL}{reverse('syndication:sitemap-index')}"]
    for language in editions.languages():
        with translation.override(language):
            lines.append(f"Sitemap: {settings.SITE_URL}{reverse('feeds:sitemap-news')}")
    lines.append("")
    return cacheable(HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8"), {keys.ROBOTS})


def article_pages() -> list[tuple[int, datetime]]:
    """``(page number, newest change)`` of every article sitemap page that holds a story.

    One primary-key range scan per page (measured faster than one GROUP BY over the archive);
    empty ranges between sparse News IDs are skipped by seeking to the next visible story.
    """
    visible = Article.objects.visible()
    pages, page = [], 0
    while (first := visible.filter(id__gte=page * URLS_PER_PAGE).order_by("id").values_list("id", flat=True).first()):
        page = first // URLS_PER_PAGE
        pages.append((page, _newest_change(visible.filter(id__gte=page * URLS_PER_PAGE,
                                                          id__lt=(page + 1) * URLS_PER_PAGE))))
        page += 1
    return pages


def _newest_change(stories) -> datetime | None:
    """The newest change among ``stories`` (one page's range of News IDs), read from ``article_sitemap`` alone.

    PostgreSQL's planner takes that index by itself. SQLite's keeps one average per index column:
    where nearly every story is published, the index looks worthless to it and it reads the
    page's 50,000 rows instead (150 ms a page at 300,000 stories, against 16 ms from the index),
    so there the index is named.
    """
    # MAX over an expression, not the bare column: PostgreSQL would otherwise walk the
    # updated_at index backwards through every newer story to find this page's newest.
    if connection.vendor != "sqlite":
        return stories.aggregate(last=Max(Coalesce("updated_at", "created_at")))["last"]
    sql, params = stories.order_by().values("id").query.sql_with_params()
    table = connection.ops.quote_name(Article._meta.db_table)
    select, where = sql.split(" WHERE ", 1)
    if not select.endswith(f" FROM {table}"):  # one table, no join: INDEXED BY names its index
        raise ValueError(f"the visible stories are no longer asked of one table alone: {select}")
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT MAX(COALESCE("updated_at", "created_at")) FROM {table} INDEXED BY "article_sitemap" '
                       f"WHERE {where}", params)
        (last,) = cursor.fetchone()
    return connection.ops.convert_datetimefield_value(last, None, connection)


def index(request):
    """The sitemap index: each edition's pages sitemap and news sitemap (while it lists a story), and
    each article sitemap page."""
    entries = []
    for language in editions.languages():
        with translation.override(language):
            entries.append((reverse("feeds:sitemap-pages"), None))
            if news_stories(language).exists():
                entries.append((reverse("feeds:sitemap-news"), None))
    pages = article_pages()
    entries += [(reverse("syndication:sitemap-articles", args=[page]), last) for page, last in pages]
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<sitemapindex xmlns="{SITEMAP_NS}">\n']
    for path, last in entries:
        lastmod = f"<lastmod>{_w3c(last)}</lastmod>" if last else ""
        parts.append(f"<sitemap><loc>{_loc(path)}</loc>{lastmod}</sitemap>\n")
    parts.append("</sitemapindex>\n")
    newest = max((last for _, last in pages), default=None)
    return cacheable(HttpResponse("".join(parts), content_type=XML_TYPE), {keys.FEEDS}, last_modified=newest)


def articles(request, page: int):
    """One article sitemap page: the visible stories with News IDs in the page's range, in both
    editions, each with hreflang links to its translations."""
    # The time comes as the database's text ("2021-04-12 05:35:00.123456", in UTC on both SQLite
    # and PostgreSQL, whose connections Django keeps in UTC): making 50,000 datetime objects only
    # to print them again was most of this page's cost.
    if (page + 1) * URLS_PER_PAGE > parameters.MAX_ID:
        raise Http404(_("No sitemap page %(page)s.") % {"page": page})
    rows = (Article.objects.visible().filter(id__gte=page * URLS_PER_PAGE, id__lt=(page + 1) * URLS_PER_PAGE)
            .order_by("id").values_list("id", "slug", "language", Cast("updated_at", CharField())))
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">\n']
    site = escape(iri_to_uri(settings.SITE_URL))
    alternates = _alternates(site, page)
    newest = ""
    for news_id, slug, language, updated_at in rows.iterator(chunk_size=5000):
        parts.append(f"<url><loc>{_story_loc(site, news_id, slug, language)}</loc>"
                     f"<lastmod>{updated_at[:10]}T{updated_at[11:19]}Z</lastmod>{alternates.get(news_id, '')}</url>\n")
        newest = max(newest, updated_at)
    if not newest:
        raise Http404("No stories on this sitemap page.")
    parts.append("</urlset>\n")
    last_modified = datetime.fromisoformat(f"{newest[:19]}+00:00")
    return cacheable(HttpResponse("".join(parts), content_type=XML_TYPE), {keys.FEEDS}, last_modified=last_modified)


def _alternates(site: str, page: int) -> dict[int, str]:
    """The ``xhtml:link`` elements of each story on article sitemap page ``page`` that has a visible
    translation: one per language edition, itself included, as Google asks. Two queries, whatever
    the page's size; most stories have no translation and cost nothing here."""
    grouped = dict(LanguageEdition.objects.filter(article_id__gte=page * URLS_PER_PAGE, article_id__lt=(page + 1) * URLS_PER_PAGE)
                   .values_list("article_id", "story"))
    if not grouped:
        return {}
    members: dict[str, list[tuple[str, str]]] = {}
    for story, news_id, slug, language in (
            LanguageEdition.objects.filter(story__in=set(grouped.values()), article__in=Article.objects.visible())
            .order_by("article__language", "article_id").values_list("story", "article_id", "article__slug", "article__language")):
        members.setdefault(story, []).append((language, _story_loc(site, news_id, slug, language)))
    found = {}
    for news_id, story in grouped.items():
        links = members.get(story, [])
        if len({language for language, _loc in links}) > 1:  # hreflang links need a pair
            found[news_id] = "".join(f'<xhtml:link rel="alternate" hreflang="{language}" href="{loc}"/>' for language, loc in links)
    return found


def news(request):
    """The edition's Google News sitemap: its stories of the last 48 hours, newest first, at most 1,000."""
    language = editions.current()
    rows = news_stories(language).values_list("id", "slug", "headline", "language", "published_at")[:NEWS_MAX_URLS]
    site = escape(iri_to_uri(settings.SITE_URL))
    name = escape(characters.strip(settings.SITE_NAME))
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n']
    for news_id, slug, headline, language, published_at in rows:
        parts.append(
            f"<url><loc>{_story_loc(site, news_id, slug, language)}</loc><news:news><news:publication>"
            f"<news:name>{name}</news:name><news:language>{escape(language)}</news:language></news:publication>"
            f"<news:publication_date>{_w3c(published_at)}</news:publication_date>"
            f"<news:title>{escape(characters.strip(headline))}</news:title></news:news></url>\n"
        )
    if len(parts) == 2:
        # A urlset needs at least one url (sitemaps.org's XSD) and a quiet two days leave none:
        # the home page stands in, without news tags, so the document stays valid and Google
        # News finds no story in it.
        parts.append(f"<url><loc>{_loc(reverse('news:home'))}</loc></url>\n")
    parts.append("</urlset>\n")
    return cacheable(HttpResponse("".join(parts), content_type=XML_TYPE), {keys.FEEDS})


def news_stories(language: str):
    """The visible stories of an edition in the Google News sitemap's window, newest first."""
    return (Article.objects.visible().filter(language=language, published_at__gte=timezone.now() - NEWS_WINDOW)
            .newest_first())


class _SiteSitemap(Sitemap):
    """Addresses on ``MASTHEAD_SITE_URL``, whatever host the request came in on."""

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme


class HomeSitemap(_SiteSitemap):
    changefreq = "always"
    priority = 1.0

    def items(self):
        return ["news:home"]

    def location(self, item):
        return reverse(item)


class SectionSitemap(_SiteSitemap):
    changefreq = "hourly"

    def items(self):
        return Section.objects.only("slug")


class TagSitemap(_SiteSitemap):
    changefreq = "daily"

    def items(self):
        edition = Article.objects.visible().filter(language=editions.current())
        return Tag.objects.filter(articles__in=edition).distinct().only("slug").order_by("pk")


class AuthorSitemap(_SiteSitemap):
    changefreq = "daily"

    def items(self):
        return Author.objects.only("slug").order_by("pk")


PAGE_SITEMAPS = {"home": HomeSitemap, "sections": SectionSitemap, "tags": TagSitemap, "authors": AuthorSitemap}


def pages(request):
    """The edition's home page and every section, tag (with a visible story in the edition) and author page."""
    response = django_sitemap(request, sitemaps=PAGE_SITEMAPS)
    return cacheable(response, {keys.FEEDS}, reads={"p"})  # Django's sitemap pages: ?p=<page>
