"""WordPress exports (WXR, the XML that Tools → Export writes): posts, with their categories,
tags, authors, dates and status.

Parsed with defusedxml, a streaming parse that refuses entity declarations (the "billion
laughs" and external-entity attacks) and DTDs. A post keeps its WordPress post id as its News
ID, so ``?p=123`` style links can be redirected. Post dates are taken from ``post_date_gmt``
only: ``post_date`` is in the blog's own time zone, which the export does not state.
Attachments, pages and menu items are counted as skipped.

A site translated with Polylang exports each post's language as a ``language`` category (its
nicename the code, ``fa``) and its group of translations as a ``post_translations`` category
shared by every post of the group: a post is linked to the first post of its group read.
"""

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from masthead.ingest.items import ImportFailed, Item, Skipped, plain_text, stored_html, unreadable
from masthead.ingest.sources import MAX_DOCUMENT_BYTES, Input

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
STATUS = {"publish": "published", "future": "published", "draft": "draft", "pending": "review",
          "private": "unpublished", "auto-draft": "draft"}
BLOCKS = re.compile(r"^\s*<(p|h[1-6]|ul|ol|blockquote|pre|table|figure|div|hr|!--)", re.IGNORECASE)


def read(source: Input) -> Iterator[Item | ImportFailed | Skipped]:
    if source.size is not None and source.size > MAX_DOCUMENT_BYTES:
        yield ImportFailed(source.name, f"is larger than the {MAX_DOCUMENT_BYTES // 2**20} MB an export may be")
        return
    site, authors, number = "", {}, 0
    groups: dict[str, str] = {}  # Polylang translation group -> the post id first read in it
    try:
        with source.open() as stream:
            for event, element in iterparse(stream, events=("end",), forbid_dtd=True):
                tag = element.tag
                if tag == "item":
                    number += 1
                    origin = f"{source.name} item {number}"
                    try:
                        thing = _item(element, origin=origin, site=site, authors=authors, groups=groups)
                    except Exception as error:
                        thing = unreadable(origin, error)
                    yield thing
                    element.clear()
                elif _wp(tag, "author"):
                    login = _text(element, "author_login")
                    authors[login] = _text(element, "author_display_name") or login
                    element.clear()
                elif _wp(tag, "base_blog_url") or (_wp(tag, "base_site_url") and not site):
                    site = (element.text or "").strip()
    except DefusedXmlException as error:
        yield ImportFailed(source.name, f"refused: {type(error).__name__} ({error}); an export has no DTD or entities")
    except ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else 1
        yield ImportFailed(f"{source.name}:{line}", f"is not well-formed XML: {error}")
    if number == 0:
        yield ImportFailed(source.name, "holds no <item>: is it a WordPress export (WXR)?")


def _wp(tag: str, name: str) -> bool:
    return tag.startswith("{http://wordpress.org/export/") and tag.endswith("}" + name)


def _child(element, name: str):
    for child in element:
        if _wp(child.tag, name):
            return child
    return None


def _text(element, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _item(element, *, origin: str, site: str, authors: dict, groups: dict[str, str]) -> Item | ImportFailed | Skipped:
    title = plain_text(element.findtext("title") or "")
    origin = f"{origin} ({title[:40]!r})" if title else origin
    kind = _text(element, "post_type")
    if kind != "post":
        return Skipped(origin, f"WordPress {kind or 'item'}, not a post"
                       + ("; media files are not imported" if kind == "attachment" else ""))
    raw_status = _text(element, "status")
    if raw_status == "trash":
        return Skipped(origin, "in the WordPress trash")
    status = STATUS.get(raw_status)
    if status is None:
        return ImportFailed(origin, f"status {raw_status!r} is none of {', '.join(STATUS)}")
    post_id = _text(element, "post_id")
    if not post_id.isdigit():
        return ImportFailed(origin, f"post_id {post_id!r} is not a number")
    if not title:
        return ImportFailed(origin, "has no title")
    body = stored_html(autop(element.findtext(CONTENT) or ""))
    if not body:
        return ImportFailed(origin, "has no content")
    published_at = None
    gmt = _text(element, "post_date_gmt")
    if gmt and not gmt.startswith("0000"):
        try:
            published_at = datetime.strptime(gmt, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        except ValueError:
            return ImportFailed(origin, f"post_date_gmt {gmt!r} is not a 'YYYY-MM-DD HH:MM:SS' time")
    if status == "published" and published_at is None:
        return ImportFailed(origin, "is published but has no post_date_gmt: its local post_date has no time zone")
    section, tags, language, group = "", [], "en", ""
    for category in element.findall("category"):
        domain = category.get("domain")
        if domain == "language" and category.get("nicename"):
            language = category.get("nicename").strip()
            continue
        if domain == "post_translations" and category.get("nicename"):
            group = category.get("nicename").strip()
            continue
        name = plain_text(category.text or "")
        if not name:
            continue
        if category.get("domain") == "category" and not section and name.lower() != "uncategorized":
            section = name
        elif category.get("domain") in ("post_tag", "category") and name.lower() != "uncategorized":
            tags.append(name)
    first = groups.setdefault(group, post_id) if group else post_id
    creator = (element.findtext(CREATOR) or "").strip()
    excerpt = next((child.text or "" for child in element if child.tag.endswith("excerpt/}encoded")), "")
    return Item(
        origin=origin, source=f"wordpress:{site}", source_key=post_id, news_id=int(post_id), headline=title,
        body=body, body_is_html=True, summary=plain_text(excerpt), section=section, tags=tags,
        authors=[authors.get(creator, creator)] if creator else [], published_at=published_at, status=status,
        slug=_text(element, "post_name")[:120], language=language, translation_of=first if first != post_id else "",
    )


def autop(text: str) -> str:
    """WordPress's paragraphs: a blank line parts them, a single line end is a <br> (as wpautop)."""
    if "<!-- wp:" in text:  # block-editor content carries its own <p> elements
        return text
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        if not chunk.strip():
            continue
        paragraphs.append(chunk if BLOCKS.match(chunk) else "<p>" + chunk.strip().replace("\n", "<br>\n") + "</p>")
    return "\n".join(paragraphs)
