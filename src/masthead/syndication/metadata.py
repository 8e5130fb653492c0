"""What a page tells search engines and link previews about itself: JSON-LD, OpenGraph, Twitter cards, hreflang.

Article pages describe a schema.org ``NewsArticle`` (https://schema.org/NewsArticle) with what
Google's article structured data asks for; the home page describes the paper
(``NewsMediaOrganization`` and ``WebSite``); section, tag and author pages a ``CollectionPage``.
"""

import json

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.utils import translation

from masthead import characters
from masthead.news import rows
from masthead.news.addresses import address
from masthead.news.models import Article
from masthead.syndication import sharecards
from masthead.syndication.models import LanguageEdition
from masthead.syndication.ninjs import changed_at, rfc3339

LOGO_PATH = "masthead/syndication/logo.png"
OG_LOCALES = {"en": "en_US", "fa": "fa_IR"}
# The same escapes as Django's json_script: a headline holding "</script>" cannot end the element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def absolute(path_or_url: str) -> str:
    return path_or_url if path_or_url.startswith(("http://", "https://")) else settings.SITE_URL + path_or_url


def logo_url() -> str:
    return settings.SITE_LOGO_URL or absolute(staticfiles_storage.url(LOGO_PATH))


def share_pictures(article: Article) -> list[tuple[str, int, int]]:
    """``(absolute url, width, height)`` of the story's share picture at 16:9, 4:3 and 1:1.

    Worked out once per story object: the head's tags and the JSON-LD both name them."""
    if "_masthead_share_pictures" not in article.__dict__:
        article.__dict__["_masthead_share_pictures"] = [
            (absolute(path), width, height) for path, width, height in sharecards.share_images(article)]
    return article.__dict__["_masthead_share_pictures"]


def corrections(article: Article) -> list[dict]:
    """schema.org ``CorrectionComment``s for the story's published corrections."""
    found = []
    for correction in article.listed("corrections"):
        entry = {"@type": "CorrectionComment", "text": str(correction.text)}
        if correction.created_at:
            entry["datePublished"] = rfc3339(correction.created_at)
        found.append(entry)
    return found


def source_organisation(name: str) -> dict:
    """The agency a story is credited to, with its address when ``MASTHEAD_SOURCE_URLS`` names one."""
    found = {"@type": "Organization", "name": name}
    url = settings.SOURCE_URLS.get(name.strip())
    if url:
        found["url"] = url
    return found


def publisher() -> dict:
    return {"@type": "NewsMediaOrganization", "name": settings.SITE_NAME, "url": settings.SITE_URL + "/",
            "logo": {"@type": "ImageObject", "url": logo_url()}}


def news_article(article: Article) -> dict:
    """The ``NewsArticle`` JSON-LD of a visible story (section, tags and authors prefetched)."""
    url = absolute(article.get_absolute_url())
    authors = [{"@type": "Person", "name": a.name, "url": absolute(a.get_absolute_url())} for a in article.listed("authors")]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "identifier": {"@type": "PropertyValue", "propertyID": "News ID", "value": str(article.pk)},
        "headline": article.headline,
        # A draft has no publication time yet; its preview still renders.
        "datePublished": rfc3339(article.published_at or article.created_at),
        "dateModified": rfc3339(changed_at(article)),
        # With no byline the story is credited to its source (a news agency) or to the paper.
        "author": authors or [source_organisation(article.source) if article.source
                              else {"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL + "/"}],
        "publisher": publisher(),
        "image": [url for url, _, _ in share_pictures(article)],
        "articleSection": article.section.edition_name,
        "keywords": [tag.name for tag in article.listed("tags")],
        "inLanguage": article.language,
        "isAccessibleForFree": True,
    }
    if article.summary:
        data["description"] = article.summary
    found = corrections(article)
    if found:
        data["correction"] = found
    return data


def home() -> list[dict]:
    return [
        {"@context": "https://schema.org", **publisher()},
        {"@context": "https://schema.org", "@type": "WebSite", "name": settings.SITE_NAME, "url": settings.SITE_URL + "/",
         "inLanguage": settings.LANGUAGE_CODE},
    ]


def collection(*, title: str, description: str, path: str) -> dict:
    return {"@context": "https://schema.org", "@type": "CollectionPage", "name": title, "description": description,
            "url": absolute(path), "isPartOf": {"@type": "WebSite", "name": settings.SITE_NAME, "url": settings.SITE_URL + "/"},
            "publisher": publisher()}


def script_json(data) -> str:
    """``data`` as JSON safe inside ``<script type="application/ld+json">``."""
    return json.dumps(characters.strip_all(data), ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def _in_edition(language: str, pk: int, slug: str) -> str:
    """A story's address in its own edition (``/fa/news/…`` for a Persian story)."""
    with translation.override(language):
        return address("news:article", pk, slug)


def editions(article: Article) -> list[tuple[str, str]]:
    """``(language, absolute url)`` of every visible language edition of the story, itself included.

    Empty unless the story has an edition in another language: hreflang links need a pair.
    Worked out once per story object: the head's links and the page's "Read in …" link share it.
    """
    if "_masthead_editions" not in article.__dict__:
        article.__dict__["_masthead_editions"] = _editions(article)
    return article.__dict__["_masthead_editions"]


def translations(article: Article) -> list[tuple[str, str]]:
    """``(language, address on this site)`` of the story's visible editions in other languages, for links in the page."""
    return [(language, url.removeprefix(settings.SITE_URL)) for language, url in editions(article)
            if language != article.language]


def _editions(article: Article) -> list[tuple[str, str]]:
    # Most stories have no edition in another language: one lookup by primary key says so.
    # Then the visible editions sharing its key, found through the story-key index; filtering
    # "visible" first would make SQLite walk every visible story.
    # Written as SQL: on an uncached article page the ORM's work building this query cost more
    # than the database's answering it (see news/storypage.py).
    if "known_edition" in article.__dict__:  # the story page read it with the story (news.storypage)
        story = article.known_edition
    else:
        found = rows.tuples(f'SELECT "story" FROM {rows.table(LanguageEdition)} WHERE "article_id" = %s', [article.pk])
        story = found[0][0] if found else None
    if story is None:
        return []
    shared = (Article.objects.visible().filter(pk__in=LanguageEdition.objects.filter(story=story).values("article_id"))
              .order_by("language").values_list("language", "id", "slug"))
    found = [(language, absolute(_in_edition(language, pk, slug))) for language, pk, slug in shared]
    return found if len({language for language, _ in found}) > 1 else []


def feeds_for(kind: str | None = None, *, slug: str = "", name: str = "") -> list[tuple[str, str, str]]:
    """``(type, title, url)`` of the feeds a page advertises with ``<link rel="alternate">``."""
    args = [] if kind is None else [slug]
    prefix = "feeds:" + ("feed" if kind is None else f"{kind}-feed")
    label = settings.SITE_NAME if kind is None else f"{name} · {settings.SITE_NAME}"
    return [(mime, f"{label} ({title})", absolute(address(f"{prefix}-{fmt}", *args)))
            for fmt, mime, title in (("rss", "application/rss+xml", "RSS"), ("atom", "application/atom+xml", "Atom"),
                                     ("json", "application/feed+json", "JSON Feed"))]
