"""Which reader reads an input: by ``--format``, by the file's extension, or by its first bytes."""

from collections.abc import Callable, Iterator

from masthead.ingest import feeds, html, ninjs, savedpage, wordpress
from masthead.ingest.items import ImportFailed, Item, Skipped
from masthead.ingest.sources import Input

READERS: dict[str, Callable[[Input], Iterator[Item | ImportFailed | Skipped]]] = {
    "savedpage": savedpage.read,
    "html": html.read,
    "wordpress": wordpress.read,
    "feed": feeds.read,
    "ninjs": ninjs.read,
}
BY_SUFFIX = {".txt": "savedpage", ".html": "html", ".htm": "html", ".json": "ninjs", ".jsonl": "ninjs",
             ".ndjson": "ninjs", ".rss": "feed", ".atom": "feed"}


def reader(source: Input, *, forced: str | None = None):
    """The reader for ``source``, or None when it is no format Masthead imports."""
    name = forced or BY_SUFFIX.get(source.suffix) or sniff(source.head())
    return READERS.get(name) if name else None


def sniff(head: bytes) -> str | None:
    """Tell the format from the first few kilobytes."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096]
    lowered = text.lower()
    if text[:1] in (b"{", b"["):
        return "ninjs"
    if b"wordpress.org/export/" in lowered:
        return "wordpress"
    if b"<rss" in lowered or b"<feed" in lowered or b"<rdf:rdf" in lowered:
        return "feed"
    if b"<html" in lowered or b"<!doctype html" in lowered:
        return "html"
    if lowered.startswith(b"news id:") or b"\nnews id:" in lowered:
        return "savedpage"
    return None
