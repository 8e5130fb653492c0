"""Stories as IPTC ninjs 2.0 (https://www.iptc.org/std/ninjs/ninjs-schema_2.0.json), and back.

ninjs 2.x spells the 1.x fields ``headline``, ``body_html``, ``byline`` and ``subject`` as the
lists ``headlines``, ``bodies``, ``by`` and ``subjects``; the schema forbids other top-level
properties, so the News ID travels as an ``altids`` entry with role ``newsid`` and the page's
address as a ``renditions`` entry named ``web``. ``to_ninjs`` writes a story; ``from_ninjs``
reads one (ours or a wire service's) into the fields of an Article, for importers.
"""

import re
from datetime import datetime, timezone as dt_timezone

from django.conf import settings
from django.utils.html import strip_tags

from masthead import house
from masthead.news.models import Article

VERSION = "2.0"
SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json"
NEWS_ID_ROLE = "newsid"
# The association that links a story to its edition in another language (the importer reads it back).
TRANSLATION = "translation"


def rfc3339(moment: datetime) -> str:
    """``2021-04-12T05:35:00Z``: a UTC time as ninjs, JSON-LD and feeds write it."""
    return house.machine(moment)


def uri(news_id: int) -> str:
    """The story's global identifier: its permanent News ID address, as in the feeds' GUIDs."""
    return f"{settings.SITE_URL}/news/{news_id}/"


def changed_at(article: Article) -> datetime:
    """When the version a reader sees was made public: the later of the last edit and the publication."""
    if article.published_at and article.published_at > article.updated_at and article.is_visible():
        return article.published_at
    return article.updated_at


def byline(authors) -> str:
    names = [author.name for author in authors]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def to_ninjs(article: Article, *, translations=()) -> dict:
    """``article`` as a ninjs 2.0 object (the caller prefetches section, tags and authors).

    ``translations`` are the same story's editions in other languages that the reader may see:
    each becomes an ``associations`` entry named ``translation``, which ``from_ninjs`` and the
    importer read back as the link between the two."""
    site = settings.SITE_URL
    authors = list(article.authors.all())
    tags = list(article.tags.all())
    visible = article.is_visible()
    item = {
        "uri": uri(article.pk),
        "standard": {"name": "ninjs", "version": VERSION, "schema": SCHEMA},
        "type": "text",
        "representationtype": "full",
        "version": str(int(changed_at(article).timestamp() * 1_000_000)),
        # The first version a reader could see was the published one; a draft's is its creation.
        "firstcreated": rfc3339(article.published_at or article.created_at),
        "versioncreated": rfc3339(changed_at(article)),
        "pubstatus": "usable" if visible else "canceled" if article.status == Article.Status.UNPUBLISHED else "withheld",
        "language": article.language,
        "slugline": article.slug,
        "copyrightholder": settings.SITE_NAME,
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": article.headline}],
        "altids": [{"role": NEWS_ID_ROLE, "value": str(article.pk)}],
        "renditions": [{"name": "web", "href": site + article.get_absolute_url(), "contenttype": "text/html"}],
        "subjects": [{"name": article.section.name, "rel": "section", "literal": article.section.slug,
                      "uri": site + article.section.get_absolute_url()}]
                    + [{"name": tag.name, "rel": "tag", "literal": tag.slug, "uri": site + tag.get_absolute_url()}
                       for tag in tags],
    }
    if article.published_at and not visible and article.status == Article.Status.PUBLISHED:
        item["embargoed"] = rfc3339(article.published_at)
    if article.kicker:
        item["headlines"].append({"role": "kicker", "contenttype": "text/plain", "value": article.kicker})
    if article.summary:
        item["descriptions"] = [{"role": "summary", "contenttype": "text/plain", "value": article.summary}]
    text = strip_tags(article.body_html)
    item["bodies"] = [{"role": "main", "contenttype": "text/html", "value": article.body_html,
                       "charcount": len(text), "wordcount": len(text.split())}]
    if authors:
        item["by"] = byline(authors)
        item["people"] = [{"name": a.name, "rel": "author", "literal": a.slug, "uri": site + a.get_absolute_url()}
                          for a in authors]
    if article.source:
        item["infosources"] = [{"name": article.source}]
    if translations:
        item["associations"] = [_translation(other, site) for other in translations]
    return item


def _translation(other: Article, site: str) -> dict:
    return {"name": TRANSLATION, "rel": TRANSLATION, "type": "text", "uri": uri(other.pk), "language": other.language,
            "altids": [{"role": NEWS_ID_ROLE, "value": str(other.pk)}],
            "headlines": [{"role": "main", "contenttype": "text/plain", "value": other.headline}],
            "renditions": [{"name": "web", "href": site + other.get_absolute_url(), "contenttype": "text/html"}]}


def canceled(article_id: int, at: datetime) -> dict:
    """What a sync client learns of a story taken off the site: only that it is withdrawn."""
    return {"uri": uri(article_id), "type": "text", "representationtype": "partial", "pubstatus": "canceled",
            "version": str(int(at.timestamp() * 1_000_000)), "versioncreated": rfc3339(at),
            "altids": [{"role": NEWS_ID_ROLE, "value": str(article_id)}]}


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"time {value!r} has no time zone; write it like 2021-04-12T05:35:00Z")
    return moment.astimezone(dt_timezone.utc)


def _by_role(entries, role: str, *, default_first: bool = False) -> str:
    entries = entries or []
    for entry in entries:
        if entry.get("role") == role:
            return entry.get("value", "")
    return entries[0].get("value", "") if default_first and entries else ""


def news_id(data: dict) -> int | None:
    """The News ID a ninjs object carries: its ``newsid`` altid, else a number ending its uri."""
    for altid in data.get("altids") or []:
        if altid.get("role") == NEWS_ID_ROLE and str(altid.get("value", "")).isdigit():
            return int(altid["value"])
    found = re.search(r"/news/(\d+)/?$", data.get("uri", ""))
    return int(found.group(1)) if found else None


def from_ninjs(data: dict) -> dict:
    """The Article fields a ninjs 1.x or 2.x object describes; ValueError says which field is wrong.

    Returns ``{"id", "headline", "kicker", "summary", "body_html", "slug", "language", "source",
    "status", "published_at", "section": {"name", "slug"} | None, "tags": [names],
    "authors": [{"name", "slug"}]}``; the caller finds or creates the section, tags and authors.
    """
    if not isinstance(data, dict) or not data.get("uri"):
        raise ValueError("a ninjs object needs a 'uri'")
    headline = _by_role(data.get("headlines"), "main", default_first=True) or data.get("headline", "")
    if not headline.strip():
        raise ValueError(f"{data['uri']}: no headline ('headlines' with role 'main')")
    bodies = data.get("bodies") or []
    html_bodies = [b for b in bodies if b.get("contenttype", "text/html") == "text/html"]
    body_html = (html_bodies or bodies or [{}])[0].get("value", "") or data.get("body_html", "")
    subjects = data.get("subjects") or data.get("subject") or []
    section = next(({"name": s.get("name", ""), "slug": s.get("literal", "")} for s in subjects
                    if s.get("rel") == "section"), None)
    pubstatus = data.get("pubstatus", "usable")
    try:
        published_at = _parse_time(data.get("embargoed")) or _parse_time(data.get("firstcreated")) \
            or _parse_time(data.get("versioncreated"))
    except ValueError as error:
        raise ValueError(f"{data['uri']}: {error}") from None
    return {
        "id": news_id(data),
        "headline": headline.strip(),
        "kicker": _by_role(data.get("headlines"), "kicker"),
        "summary": _by_role(data.get("descriptions"), "summary", default_first=True) or data.get("description_text", ""),
        "body_html": body_html,
        "slug": data.get("slugline", ""),
        "language": data.get("language", settings.LANGUAGE_CODE),
        "source": ", ".join(s["name"] for s in data.get("infosources") or [] if s.get("name")),
        # A withheld item with an embargo is a scheduled story: published, visible from that time.
        "status": Article.Status.PUBLISHED if pubstatus == "usable" or (pubstatus == "withheld" and data.get("embargoed"))
        else Article.Status.UNPUBLISHED if pubstatus == "canceled" else Article.Status.DRAFT,
        "published_at": published_at,
        "section": section,
        "tags": [s.get("name", "") for s in subjects if s.get("rel") == "tag" and s.get("name")],
        "authors": [{"name": p.get("name", ""), "slug": p.get("literal", "")} for p in data.get("people") or []
                    if p.get("rel", "author") == "author" and p.get("name")],
    }
