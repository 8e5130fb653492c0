"""What every reader produces: one ``Item`` per story, or an ``ImportFailed`` saying where and why.

Readers know nothing of the database; ``ingest.store`` turns items into articles.

Bodies come in two stored forms. A plain-text body (saved pages) is kept as Markdown paragraphs.
An HTML body (HTML pages, WordPress, feeds, ninjs) is sanitised with ``masthead.sanitize`` and
kept as block-level HTML in ``Article.body``: Markdown passes block HTML through unchanged, so
``body_html`` is that same HTML, and a later edit in the newsroom renders it the same way.
"""

import hashlib
import re
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone

from lxml import html as lxml_html

from masthead import sanitize


class ImportFailed(Exception):
    """An item (or a whole input) that cannot be imported; ``str()`` is ``origin: reason``."""

    def __init__(self, origin: str, reason: str):
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason

    def __reduce__(self):
        return ImportFailed, (self.origin, self.reason)


def unreadable(origin: str, error: Exception) -> ImportFailed:
    """A fault no reader foresaw, met while reading one item, as that item's failure (the rest go on)."""
    return ImportFailed(origin, f"could not be read: {type(error).__name__}: {error}")


def aware_time(value, *, label: str, origin: str) -> datetime:
    """``value`` (ISO 8601 with a zone, ``Z`` for UTC) as an aware UTC datetime, or ImportFailed naming ``label``."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ImportFailed(origin, f"{label} {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ImportFailed(origin, f"{label} {value!r} has no time zone, so the instant is unknown: write it as UTC, e.g. {value}Z")
    return moment.astimezone(timezone.utc)


@dataclass
class Skipped:
    """Something read that is not a story (a picture, a WordPress page menu): counted, not imported."""

    origin: str
    reason: str


@dataclass
class Item:
    """One story read from a source, before it becomes (or updates) an article."""

    origin: str  # where it was read, for messages: "archive.zip/302104.txt:1", "wire.jsonl:7"
    source: str  # the system it comes from: "savedpage", "wordpress:https://old.example", a feed URL
    source_key: str  # the item's identity in that source: a News ID, a GUID, a post id
    headline: str
    body: str = ""  # the stored form: Markdown text, or sanitised block HTML when body_is_html
    body_is_html: bool = False
    news_id: int | None = None  # the paper's News ID, kept as Article.id
    summary: str = ""
    kicker: str = ""
    credit: str = ""  # Article.source: "Press TV", "IRNA"
    section: str = ""  # a section name; empty: the import's default section
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    status: str = "published"
    language: str = "en"
    slug: str = ""
    # The story this one translates (or is translated by): its News ID in digits, or its key in the
    # same source (a ninjs uri, a WordPress post id). Linked once the whole run is in, so either may come first.
    translation_of: str = ""
    warnings: list[str] = field(default_factory=list)

    def content_hash(self) -> str:
        """A digest of everything stored from this item (not where it was read from)."""
        # The unit separator cannot occur in text a story holds, so fields cannot run together.
        # One string hashed at once: the same bytes, and the same digest, as field by field.
        text = "".join(f"{chr(0x1e).join(value) if isinstance(value, list) else value}\x1f"
                       for value in map(self.__getattribute__, HASHED_FIELDS))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# translation_of is no part of the stored story (the link is made apart, and again on each run):
# left out, stories imported before it was read stay "unchanged".
HASHED_FIELDS = [f.name for f in fields(Item) if f.name not in ("origin", "warnings", "translation_of")]
NEWS_URL = re.compile(r"/news/(\d{1,12})(?:[/.]|\.html|$)", re.IGNORECASE)
BLOCK_TAGS = {"blockquote", "figure", "h2", "h3", "h4", "hr", "ol", "p", "pre", "table", "ul"}


def news_id_from_url(url: str) -> int | None:
    """The News ID in ``/News/302104.html`` or ``/news/302104/slug/``, or None."""
    match = NEWS_URL.search(url or "")
    return int(match.group(1)) if match else None


def stored_html(html: str) -> str:
    """Sanitise ``html`` and lay it out as blocks, the form an HTML body is stored in.

    Loose inline text between blocks is wrapped in ``<p>``, so that Markdown, which treats only
    block-level HTML as raw, cannot read ``*`` or ``_`` in it as emphasis.
    """
    clean = sanitize.article_html(html or "").strip()
    if not clean:
        return ""
    top_level = _blocks(clean)
    if top_level is not None:
        return "\n\n".join(top_level)
    blocks: list[str] = []
    loose: list[str] = []

    def flush() -> None:
        text = "".join(loose).strip()
        if text:
            blocks.append(f"<p>{text}</p>")
        loose.clear()

    for part in lxml_html.fragments_fromstring(clean):
        if isinstance(part, str):
            loose.append(_escape(part))
        elif part.tag in BLOCK_TAGS:
            flush()
            blocks.append(lxml_html.tostring(part, encoding="unicode", with_tail=False).strip())
            if part.tail:
                loose.append(_escape(part.tail))
        else:
            loose.append(lxml_html.tostring(part, encoding="unicode", with_tail=True))
    flush()
    # lxml re-serialised what the sanitiser let through; a second pass keeps the policy's last word.
    return sanitize.article_html("\n\n".join(blocks)).strip()


BLOCK_TAG = re.compile(r"<(/?)(p|h2|h3|h4|blockquote|ul|ol|pre|table|figure)\b[^>]*>")
HR = re.compile(r"\s*<hr>\s*")


def _blocks(clean: str) -> list[str] | None:
    # The sanitiser's output is well-formed, so tracking the nesting of block elements alone is
    # enough: whatever stands at the top level lies in the gaps between top-level blocks. When
    # the gaps hold only whitespace (or <hr>), the usual shape <p>…</p><p>…</p>, return the
    # blocks; None sends anything else the slow way, through lxml.
    blocks: list[str] = []
    depth = start = gap = 0
    for match in BLOCK_TAG.finditer(clean):
        if match.group(1):
            depth -= 1
            if depth == 0:
                blocks.append(clean[start:match.end()])
                gap = match.end()
        else:
            if depth == 0:
                if not _empty_gap(clean[gap:match.start()], blocks):
                    return None
                start = match.start()
            depth += 1
    if depth != 0 or not _empty_gap(clean[gap:], blocks):
        return None
    return blocks


def _empty_gap(text: str, blocks: list[str]) -> bool:
    if not text or text.isspace():
        return True
    if HR.fullmatch(text):
        blocks.append("<hr>")
        return True
    return False


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_text(html: str) -> str:
    """The text of an HTML fragment (for headlines and summaries), whitespace collapsed."""
    if not html or "<" not in html and "&" not in html:
        return " ".join((html or "").split())
    try:
        text = lxml_html.fragment_fromstring(html, create_parent="div").text_content()
    except Exception:  # lxml refuses empty or odd fragments; the raw text is the fallback
        text = re.sub(r"<[^>]*>", " ", html)
    return " ".join(text.split())
