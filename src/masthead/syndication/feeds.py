"""RSS 2.0, Atom and JSON Feed 1.1 for the whole paper and for each section, tag and author.

Each item's GUID is the story's News ID address (``<site>/news/302104/``), which never changes
when a headline and so its slug does. ``MASTHEAD_FEED_FULL_TEXT`` chooses whether items carry
the whole body (``content:encoded`` in RSS, ``<content>`` in Atom, ``content_html`` in JSON
Feed) or only the summary. Every feed names the WebSub hub, when one is configured, so readers
learn of a new story at once instead of polling.
"""

import json

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.translation import gettext as _

from masthead import characters, editions, house, parameters
from masthead.news import storypage
from masthead.news.models import Article, Author, Section, Tag
from masthead.delivery import keys
from masthead.news.caching import cacheable
from masthead.syndication.caching import readable_from_any_site

ITEMS = 30
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def news_id_url(news_id: int) -> str:
    """The permanent address of a story: its News ID, which the GUID of every feed item uses."""
    return f"{settings.SITE_URL}/news/{news_id}/"


class HubRss(feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with ``content:encoded`` for full text and an ``atom:link rel="hub"``."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("hub"):
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": self.feed["hub"]})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class HubAtom(feedgenerator.Atom1Feed):
    """Atom 1.0 with ``<content type="html">`` for full text and a ``link rel="hub"``."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("hub"):
            handler.addQuickElement("link", "", {"rel": "hub", "href": self.feed["hub"]})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class StoryFeed(Feed):
    """The newest visible stories of the paper, or of one section, tag or author (``kind``)."""

    feed_type = HubRss
    kind = None  # None: the whole paper; else "section", "tag" or "author"
    models = {"section": Section, "tag": Tag, "author": Author}
    format_name = "rss"
    # The address the feed is read at, when not its own feed_path (the legacy /News/Feed).
    self_path = None

    def get_object(self, request, slug=None):
        if self.kind is None:
            return None
        return get_object_or_404(self.models[self.kind], slug=slug)

    def title(self, obj):
        paper = editions.paper_name()
        return paper if obj is None else f"{edition_name(obj)} · {paper}"

    def link(self, obj):
        return settings.SITE_URL + (reverse("news:home") if obj is None else obj.get_absolute_url())

    def description(self, obj):
        if obj is None:
            return _("The latest stories from %(paper)s.") % {"paper": editions.paper_name()}
        return _("The latest stories filed under %(name)s in %(paper)s.") % {"name": edition_name(obj),
                                                                             "paper": editions.paper_name()}

    def feed_url(self, obj):
        return settings.SITE_URL + (self.self_path or feed_path(self.format_name, obj, self.kind))

    def feed_extra_kwargs(self, obj):
        return {"hub": settings.WEBSUB_HUB}

    def items(self, obj):
        return stories(obj, self.kind)

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return item.summary or item.headline

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    def item_guid(self, item):
        return news_id_url(item.pk)

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.authors.all()) or None

    def item_categories(self, item):
        return categories(item)

    def item_extra_kwargs(self, item):
        return {"content_html": item.body_html} if settings.FEED_FULL_TEXT else {}

    @property
    def language(self):
        # Read while the request's edition is active: <language>fa</language> under /fa/.
        return editions.current()

    def get_feed(self, obj, request):
        # What is stored may hold characters XML cannot carry (Django's generator refuses them
        # with UnserializableContentError): a feed leaves them out rather than fail.
        generator = super().get_feed(obj, request)
        generator.feed = characters.strip_all(generator.feed)
        generator.items = characters.strip_all(generator.items)
        return generator

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        obj = self.get_object(request, *args, **kwargs)
        return finish(response, obj, self.kind)


class AtomStoryFeed(StoryFeed):
    feed_type = HubAtom
    format_name = "atom"
    subtitle = StoryFeed.description

    def author_name(self, obj):
        # Atom needs an author for every entry; the feed's stands in for stories without a byline.
        return editions.paper_name()


def edition_name(obj) -> str:
    """What the edition being served calls a section, tag or author."""
    return obj.edition_name if isinstance(obj, Section) else obj.name


def stories(obj, kind):
    """The newest visible stories of ``obj`` (a section, tag, author, or the paper for None) in the edition served."""
    now = timezone.now()
    queryset = Article.objects.visible(at=now).filter(language=editions.current())
    if kind == "section":
        queryset = queryset.filter(section=obj)
    elif kind is not None:
        # Read from the tag's (author's) own rows, as its page is: joined, an old tag's feed read the whole archive.
        newest = storypage.filed_under(obj, at=now, language=editions.current())(None, older=True, limit=ITEMS)
        queryset = queryset.filter(pk__in=[story.pk for story in newest])
    return list(queryset.select_related("section").prefetch_related("authors", "tags").newest_first()[:ITEMS])


def categories(article) -> list[str]:
    """The story's section and tag names, each once: a section and a tag may share a name."""
    return list(dict.fromkeys([article.section.edition_name, *(tag.name for tag in article.tags.all())]))


def feed_path(format_name: str, obj=None, kind=None) -> str:
    if obj is None:
        return reverse(f"feeds:feed-{format_name}")
    return reverse(f"feeds:{kind}-feed-{format_name}", args=[obj.slug])


def finish(response, obj, kind, *, last_modified=None):
    """Page-cache a feed under ``feeds`` (every save purges it) and the key of what it follows.

    RSS and Atom already carry Last-Modified (Django sets it from the newest item); the ETag
    comes from the page cache.
    """
    found = {keys.FEEDS} | ({obj.surrogate_key} if obj is not None else set())
    # /News/Feed?id=<section id> is the one feed that reads its query string.
    return cacheable(response, found, last_modified=last_modified, reads={"id"})


def json_feed(request, kind=None, slug=None):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) of the same stories as the RSS feed."""
    source = StoryFeed()
    source.kind = kind
    obj = source.get_object(request, slug)
    items = stories(obj, kind)
    document = {
        "version": JSON_FEED_VERSION,
        "title": source.title(obj),
        "home_page_url": source.link(obj),
        "feed_url": settings.SITE_URL + feed_path("json", obj, kind),
        "description": source.description(obj),
        "language": editions.current(),
        "items": [json_item(article) for article in items],
    }
    if settings.WEBSUB_HUB:
        document["hubs"] = [{"type": "WebSub", "url": settings.WEBSUB_HUB}]
    response = HttpResponse(json.dumps(characters.strip_all(document), ensure_ascii=False), content_type="application/feed+json; charset=utf-8")
    finish(response, obj, kind, last_modified=max((a.updated_at for a in items), default=None))
    return readable_from_any_site(response)


def json_item(article) -> dict:
    item = {
        "id": news_id_url(article.pk),
        "url": settings.SITE_URL + article.get_absolute_url(),
        "title": article.headline,
        "summary": article.summary or article.headline,
        "date_published": house.machine(article.published_at),
        "date_modified": house.machine(article.updated_at),
        "language": article.language,
        "tags": categories(article),
    }
    if settings.FEED_FULL_TEXT:
        item["content_html"] = article.body_html
    else:
        item["content_text"] = article.summary or article.headline
    authors = [{"name": a.name, "url": settings.SITE_URL + a.get_absolute_url()} for a in article.authors.all()]
    if authors:
        item["authors"] = authors
    return item


def legacy_feed(request):
    """``/News/Feed`` and ``/News/Feed?id=<section id>``: the old site's RSS address keeps working."""
    section_id = request.GET.get("id", "").strip()
    feed = StoryFeed()
    # The feed's self link is the address it was read at (feed validators check it).
    feed.self_path = reverse("feeds:legacy-feed") + (f"?id={section_id}" if section_id else "")
    if not section_id:
        return feed(request)
    try:
        section = get_object_or_404(Section, pk=parameters.database_id(section_id, name="id"))
    except parameters.BadParameter:
        raise Http404(_("No section with id %(id)s.") % {"id": section_id[:40]}) from None
    feed.kind = "section"
    return feed(request, slug=section.slug)


def _kind_feed(kind, format_name):
    if format_name == "json":
        return lambda request, slug: json_feed(request, kind=kind, slug=slug)
    feed = (AtomStoryFeed if format_name == "atom" else StoryFeed)()
    feed.kind = kind
    return feed


def kind_feeds(kind: str) -> dict:
    """The three feed views (rss, atom, json) of ``kind``."""
    return {name: _kind_feed(kind, name) for name in ("rss", "atom", "json")}
