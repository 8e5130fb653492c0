"""RSS 2.0 and Atom feeds (and RSS 0.9x/1.0), read by feedparser: wire copy and old sites' feeds.

An entry's identity is its GUID (Atom ``id``), else its link. Its News ID is taken from its
link only when the feed is this site's own (``MASTHEAD_SITE_URL``): another site's
``/news/123/`` is another paper's number. feedparser tolerates broken feeds; entity
declarations are refused before it sees the document.
"""

import calendar
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from urllib.parse import urlsplit

import feedparser
from django.conf import settings

from masthead.ingest.items import ImportFailed, Item, news_id_from_url, plain_text, stored_html, unreadable
from masthead.ingest.sources import Input

MAX_FEED_BYTES = 64 * 1024 * 1024
ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def read(source: Input) -> Iterator[Item | ImportFailed]:
    try:
        data = source.read_all(limit=MAX_FEED_BYTES)
    except ImportFailed as failure:
        yield failure
        return
    if ENTITY.search(data):
        yield ImportFailed(source.name, "declares XML entities: refused (entity expansion can exhaust memory)")
        return
    parsed = feedparser.parse(data, resolve_relative_uris=False, sanitize_html=False)
    if not parsed.entries:
        reason = f"is not a feed: {parsed.bozo_exception}" if parsed.bozo else "holds no entries"
        yield ImportFailed(source.name, reason)
        return
    feed_link = parsed.feed.get("link") or parsed.feed.get("id") or source.name
    own = urlsplit(feed_link).netloc == urlsplit(settings.SITE_URL).netloc
    for number, entry in enumerate(parsed.entries, start=1):
        origin = f"{source.name} entry {number}"
        try:
            thing = _entry(entry, origin=origin, source=f"feed:{feed_link}", own=own)
        except ImportFailed as failure:
            thing = failure
        except Exception as error:
            thing = unreadable(origin, error)
        yield thing


def _entry(entry, *, origin: str, source: str, own: bool) -> Item:
    key = entry.get("id") or entry.get("link")
    if not key:
        raise ImportFailed(origin, "has neither a GUID (id) nor a link: a re-import could not find it again")
    headline = plain_text(entry.get("title", ""))
    if not headline:
        raise ImportFailed(origin, "has no title")
    origin = f"{origin} ({headline[:40]!r})"
    contents = entry.get("content") or []
    html_content = next((c.value for c in contents if "html" in c.get("type", "text/html")), None)
    summary = entry.get("summary", "")
    body = stored_html(html_content if html_content is not None else summary)
    if not body:
        raise ImportFailed(origin, "has no content and no description")
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    published_at = datetime.fromtimestamp(calendar.timegm(moment), tz=timezone.utc) if moment else None
    warnings = [] if published_at else [f"{origin}: no publication date: imported as a draft without one"]
    return Item(
        origin=origin, source=source, source_key=key, news_id=news_id_from_url(entry.get("link", "")) if own else None,
        headline=headline, body=body, body_is_html=True,
        summary=plain_text(summary) if html_content is not None and summary != html_content else "",
        credit=plain_text((entry.get("source") or {}).get("title", ""))[:120],
        tags=[t.get("term") for t in entry.get("tags") or [] if t.get("term")],
        authors=[a.get("name") for a in entry.get("authors") or [] if a.get("name")],
        published_at=published_at, status="published" if published_at else "draft", warnings=warnings,
        language=(entry.get("language") or "en"),
    )
