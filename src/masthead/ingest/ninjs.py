"""IPTC ninjs (News in JSON), the form wire agencies and Masthead's own API speak.

A file holds one object, an array of objects, or JSON lines (one object a line). Both ninjs 1.x
(``headline``, ``body_html``, ``byline``, ``altids`` as an object) and 2.x (``headlines``,
``bodies``, ``bylines``/``by``, ``altids`` as a list) are read. ``uri`` is the item's identity;
the paper's News ID comes from ``altids`` (``newsid``) or from a ``uri`` under the site's own
address (``/news/<id>/…``), never from another site's address, so wire copy cannot take over an
existing story's number.

A translation names its original in ``associations`` (ninjs 2.x: a list of objects, the link's
kind in ``rel`` or ``name``; 1.x: an object keyed by name) under ``translation-of`` (or
``translation``, ``translated-from``, ``original``), by the original's ``uri`` or its
``altids`` News ID; or in ``altids`` as ``translation-of`` with the original's News ID.
"""

import json
import re
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings

from masthead.ingest.items import (ImportFailed, Item, Skipped, aware_time, news_id_from_url, plain_text, stored_html,
                                   unreadable)
from masthead.ingest.sources import Input

SOURCE = "ninjs"
PUBSTATUS = {"usable": "published", "withheld": "draft", "canceled": "unpublished"}
NEWS_ID_NAMES = ("newsid", "news_id", "news-id", "masthead")
# What a link from a translation to its original is called (compared without "-", "_" and case).
TRANSLATION_NAMES = ("translationof", "translation", "translatedfrom", "original")
DIGITS = re.compile(r"[0-9]{1,19}")


class NotAStory(Exception):
    """An item that is valid ninjs but not a story (a picture, a video)."""


def read(source: Input) -> Iterator[Item | ImportFailed | Skipped]:
    """The items of a ninjs file: one object, an array, or JSON lines."""
    site_host = urlsplit(settings.SITE_URL).netloc
    lines = source.lines()
    first = next(lines, None)
    if first is None:
        yield ImportFailed(source.name, "is empty")
        return
    number, line = first
    try:
        is_lines = isinstance(line, bytes) and isinstance(json.loads(line), dict)
    except ValueError:
        is_lines = False
    if is_lines:
        yield from _one(f"{source.name}:{number}", line, site_host)
        for number, line in lines:
            if isinstance(line, ImportFailed):
                yield line
            elif line.strip():
                yield from _one(f"{source.name}:{number}", line, site_host)
        return
    lines.close()
    source.position = 0
    try:
        document = json.loads(source.read_all())
    except ImportFailed as failure:
        yield failure
        return
    except ValueError as error:
        yield ImportFailed(f"{source.name}:{getattr(error, 'lineno', 1)}", f"is not JSON: {error}")
        return
    objects = document if isinstance(document, list) else [document]
    for position, data in enumerate(objects, start=1):
        yield from _one(f"{source.name} item {position}" if isinstance(document, list) else source.name, data, site_host)


def _one(origin: str, data, site_host: str) -> Iterator[Item | ImportFailed | Skipped]:
    try:
        if isinstance(data, bytes):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as error:
                raise ImportFailed(origin, f"is not JSON: {error.msg} at column {error.pos + 1}") from None
            except ValueError as error:
                raise ImportFailed(origin, f"is not JSON: {error}") from None
        thing = item(data, origin=origin, site_host=site_host)
    except ImportFailed as failure:
        thing = failure
    except NotAStory as reason:
        thing = Skipped(origin, str(reason))
    except Exception as error:
        thing = unreadable(origin, error)
    yield thing


def item(data: dict, *, origin: str, site_host: str = "") -> Item:
    """The story in one ninjs object."""
    if not isinstance(data, dict):
        raise ImportFailed(origin, f"is a JSON {type(data).__name__}, not a ninjs object")
    uri = data.get("uri")
    if not isinstance(uri, str) or not uri.strip():
        raise ImportFailed(origin, "has no 'uri': ninjs requires one, and it is what makes a re-import an update")
    kind = data.get("type", "text")
    if kind not in ("text", "composite"):
        raise NotAStory(f"ninjs type {kind!r} is not a story")
    headline = _headline(data)
    if not headline:
        raise ImportFailed(origin, "has no headline ('headline' or 'headlines')")
    body = _body(data)
    if not body:
        raise ImportFailed(origin, "has no body ('body_html', 'body_text' or 'bodies')")
    status = PUBSTATUS.get(data.get("pubstatus", "usable"))
    if data.get("pubstatus") == "withheld" and data.get("embargoed"):
        status = "published"  # withheld until the embargo: a scheduled story
    if status is None:
        raise ImportFailed(origin, f"pubstatus {data.get('pubstatus')!r} is none of {', '.join(PUBSTATUS)}")
    published_at = _time(data, origin, "firstpublished") or _time(data, origin, "firstcreated") or \
        _time(data, origin, "versioncreated")
    embargoed = _time(data, origin, "embargoed")
    if embargoed and (published_at is None or embargoed > published_at):
        published_at = embargoed  # an embargo is a schedule: the story appears at that second
    if status == "published" and published_at is None:
        raise ImportFailed(origin, "has no time ('firstcreated', 'versioncreated' or 'embargoed'): cannot publish it")
    section, tags = _subjects(data)
    news_id = _news_id(data, uri, site_host, origin=origin)
    return Item(
        origin=origin, source=SOURCE, source_key=uri.strip(), news_id=news_id,
        headline=headline, kicker=_kicker(data), body=body, body_is_html=True, summary=_summary(data),
        credit=_credit(data), section=section, tags=tags, authors=_authors(data),
        published_at=published_at, status=status, language=str(data.get("language") or "en")[:8],
        slug=_slug(data, news_id), translation_of=_translation_of(data, site_host, origin=origin),
    )


def _kicker(data: dict) -> str:
    for entry in data.get("headlines") or []:
        if isinstance(entry, dict) and entry.get("role") in ("kicker", "overline") and entry.get("value"):
            return plain_text(str(entry["value"]))[:80]
    return ""


def _headline(data: dict) -> str:
    if isinstance(data.get("headline"), str):
        return plain_text(data["headline"])
    for entry in data.get("headlines") or []:
        if isinstance(entry, dict) and entry.get("role", "main") == "main" and entry.get("value"):
            return plain_text(str(entry["value"]))
    return ""


def _body(data: dict) -> str:
    if isinstance(data.get("body_html"), str) and data["body_html"].strip():
        return stored_html(data["body_html"])
    for entry in data.get("bodies") or []:
        if isinstance(entry, dict) and entry.get("role", "main") == "main" and entry.get("value"):
            value = str(entry["value"])
            return stored_html(value if "html" in str(entry.get("contenttype", "text/html")) else _paragraphs(value))
    if isinstance(data.get("body_text"), str):
        return stored_html(_paragraphs(data["body_text"]))
    return ""


def _paragraphs(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(f"<p>{part.strip()}</p>" for part in escaped.replace("\r\n", "\n").split("\n\n") if part.strip())


def _summary(data: dict) -> str:
    for name in ("description_text", "description_html"):
        if isinstance(data.get(name), str):
            return plain_text(data[name])
    for entry in data.get("descriptions") or []:
        if isinstance(entry, dict) and entry.get("role", "summary") in ("summary", "main") and entry.get("value"):
            return plain_text(str(entry["value"]))
    return ""


def _credit(data: dict) -> str:
    # Not ``copyrightholder``: that is who owns the copy, not whom the story credits.
    names = [str(e["name"]) for e in data.get("infosources") or [] if isinstance(e, dict) and e.get("name")]
    return ", ".join(names)[:120]


def _authors(data: dict) -> list[str]:
    # People named as authors are exact; a byline string has to be split on "and" and commas.
    names = [str(e["name"]) for e in data.get("people") or []
             if isinstance(e, dict) and e.get("name") and e.get("rel", "author") == "author"]
    names = names or [str(e.get("byline") or e.get("name")) for e in data.get("bylines") or []
                      if isinstance(e, dict) and (e.get("byline") or e.get("name"))]
    if names:
        return names
    byline = data.get("byline") or data.get("by") or ""
    if not isinstance(byline, str) or not byline.strip():
        return []
    byline = byline.strip()
    if byline.lower().startswith("by "):
        byline = byline[3:]
    return [name.strip() for part in byline.split(" and ") for name in part.split(",") if name.strip()]


def _subjects(data: dict) -> tuple[str, list[str]]:
    section = ""
    tags: list[str] = []
    for entry in data.get("subject") or data.get("subjects") or []:
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        if "section" in str(entry.get("scheme", "")) + str(entry.get("rel", "")):
            section = section or str(entry["name"])
        else:
            tags.append(str(entry["name"]))
    for keyword in data.get("keywords") or []:
        if isinstance(keyword, str) and keyword.strip() and keyword not in tags:
            tags.append(keyword.strip())
    return section, tags


def _news_id(data: dict, uri: str, site_host: str, *, origin: str) -> int | None:
    altids = data.get("altids") or {}
    if isinstance(altids, dict):
        pairs = altids.items()
    else:
        pairs = [(e.get("role") or e.get("type"), e.get("value")) for e in altids if isinstance(e, dict)]
    for name, value in pairs:
        if str(name).lower() not in NEWS_ID_NAMES:
            continue
        # Only ASCII digits: "²" and "٣" are digits to str.isdigit() but no News ID.
        if DIGITS.fullmatch(str(value)):
            return int(value)
        raise ImportFailed(origin, f"altids {name} {value!r} is not a News ID: write it in the digits 0-9")
    if site_host and urlsplit(uri).netloc == site_host:
        return news_id_from_url(urlsplit(uri).path)
    return None


def _is_translation_link(name) -> bool:
    return str(name or "").lower().replace("-", "").replace("_", "") in TRANSLATION_NAMES


def _translation_of(data: dict, site_host: str, *, origin: str) -> str:
    """The story this one translates: a News ID in digits, or the original's ninjs uri; "" if none."""
    altids = data.get("altids") or {}
    pairs = altids.items() if isinstance(altids, dict) else \
        [(e.get("role") or e.get("type"), e.get("value")) for e in altids if isinstance(e, dict)]
    for name, value in pairs:
        if _is_translation_link(name):
            if not DIGITS.fullmatch(str(value)):
                raise ImportFailed(origin, f"altids {name} {value!r} is not a News ID: write it in the digits 0-9")
            return str(value)
    associations = data.get("associations") or []
    if isinstance(associations, dict):  # ninjs 1.x: {name: object}
        associations = [{**value, "name": key} for key, value in associations.items() if isinstance(value, dict)]
    for entry in associations:
        if not isinstance(entry, dict) or not (_is_translation_link(entry.get("rel")) or _is_translation_link(entry.get("name"))):
            continue
        uri = str(entry.get("uri") or "").strip()
        news_id = _news_id(entry, uri, site_host, origin=f"{origin} associations {entry.get('name') or entry.get('rel')}")
        if news_id is not None:
            return str(news_id)
        if uri:
            return uri
        raise ImportFailed(origin, f"association {entry.get('name') or entry.get('rel')!r} names no story: give its 'uri' "
                                   "or its News ID in 'altids'")
    return ""


def _slug(data: dict, news_id: int | None) -> str:
    """The slug of the story's address (its ``web`` rendition or uri); ours also in ``slugline``."""
    addresses = [r.get("href", "") for r in data.get("renditions") or [] if isinstance(r, dict) and r.get("name") == "web"]
    for address in [*addresses, data.get("uri") or ""]:
        parts = [p for p in urlsplit(str(address)).path.split("/") if p]
        if len(parts) >= 3 and parts[0].lower() == "news" and parts[1].isdigit():
            return parts[2][:120]
    # A wire service's slugline is a desk label ("IRAN-OIL/"), not an address: only our own is kept.
    slugline = str(data.get("slugline") or "")
    if news_id is not None and re.fullmatch(r"[\w-]{1,120}", slugline):
        return slugline
    return ""


def _time(data: dict, origin: str, name: str) -> datetime | None:
    value = data.get(name)
    return aware_time(value, label=name, origin=origin) if value else None
