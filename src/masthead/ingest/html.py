"""Saved HTML pages of a news site: the story's text by trafilatura, its facts by structured data.

trafilatura finds the article body among the navigation, comment forms and footers of a real
page; it tops the published comparisons of main-text extractors (ScrapingHub's article
extraction benchmark, Bevendorff et al. 2023), is released often, and reads dates, authors
and categories as well. readability-lxml extracts the body only, and goose3 and newspaper3k
are barely kept. What a page states outright wins over what is guessed: ``NewsArticle``
JSON-LD first, then OpenGraph and ``article:`` meta tags, then trafilatura's metadata. The
News ID comes from the page's text (``News ID: 302104``), else from its canonical address
(``/News/302104.html``, ``/news/302104/slug/``), else from the path it was saved under.
"""

import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from masthead import house
from masthead.ingest.items import ImportFailed, Item, aware_time, news_id_from_url, plain_text, stored_html, unreadable
from masthead.ingest.sources import Input

MAX_PAGE_BYTES = 32 * 1024 * 1024
NEWS_ID_TEXT = re.compile(r"News ID:\s*(\d{1,12})\b")
DATELINE_TEXT = re.compile(r"Published:\s*(\d{4} GMT [A-Z][a-z]+ \d{1,2}, \d{4})")
NEWS_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
              "BlogPosting", "ReviewNewsArticle", "BackgroundNewsArticle"}


def read(source: Input) -> Iterator[Item | ImportFailed]:
    try:
        data = source.read_all(limit=MAX_PAGE_BYTES)
        thing = parse(data, name=source.name)
    except ImportFailed as failure:
        thing = failure
    except Exception as error:
        thing = unreadable(source.name, error)
    yield thing


def parse(data: bytes, *, name: str) -> Item:
    """The story on one saved HTML page."""
    try:
        tree = lxml_html.document_fromstring(data)
    except (etree.ParserError, ValueError) as error:
        raise ImportFailed(name, f"is not an HTML page: {error}") from None
    facts = _structured(tree)
    meta = _meta(tree)
    extracted = trafilatura.bare_extraction(data.decode("utf-8", "replace"), with_metadata=True)
    extracted = extracted.as_dict() if hasattr(extracted, "as_dict") else (extracted or {})
    text = tree.text_content()

    url = facts.get("url") or _link(tree, "canonical") or meta.get("og:url") or extracted.get("url") or ""
    match = NEWS_ID_TEXT.search(text)
    news_id = int(match.group(1)) if match else (news_id_from_url(url) or news_id_from_url("/" + name))
    if news_id is None and not url:
        raise ImportFailed(name, "has no News ID and no canonical address: nothing tells this story apart from another")

    headline = plain_text(facts.get("headline") or meta.get("og:title") or extracted.get("title") or "")
    if not headline:
        raise ImportFailed(name, "has no headline (no NewsArticle headline, og:title, <title> or <h1>)")
    body = _body(data, headline)
    if not body:
        raise ImportFailed(name, "has no article text that could be told from the page around it")

    warnings = []
    published_at, status = _published(facts, meta, text, name), "published"
    if published_at is None:
        status = "draft"
        day = extracted.get("date")
        if day:
            published_at = datetime.fromisoformat(day).replace(tzinfo=timezone.utc)
            warnings.append(f"{name}: the page gives the day {day} but no time: imported as a draft, dated 00:00 GMT")
        else:
            warnings.append(f"{name}: the page gives no publication time: imported as a draft without one")

    authors = facts.get("authors") or _split_names(meta.get("author") or extracted.get("author") or "")
    tags = facts.get("keywords") or [value for key, value in meta.get("_tags", [])] or list(extracted.get("tags") or [])
    return Item(
        origin=name, source="html", source_key=str(news_id) if news_id is not None else url, news_id=news_id,
        headline=headline, body=body, body_is_html=True,
        summary=plain_text(facts.get("description") or meta.get("og:description") or meta.get("description") or ""),
        section=str(facts.get("section") or meta.get("article:section") or ""), tags=tags, authors=authors,
        published_at=published_at, status=status, language=(tree.get("lang") or "en")[:8], warnings=warnings,
    )


def _body(data: bytes, headline: str) -> str:
    extracted = trafilatura.extract(data.decode("utf-8", "replace"), output_format="html", include_formatting=True,
                                    include_links=True, include_comments=False, include_tables=True)
    if not extracted:
        return ""
    tree = lxml_html.document_fromstring(extracted)
    body = tree.find("body") if tree.find("body") is not None else tree
    # The headline is shown above the body already; the page's <h1> would print it twice.
    for heading in body.findall(".//h1"):
        if plain_text(heading.text_content()) == headline or heading.getparent() is body:
            heading.drop_tree()
    inner = "".join(lxml_html.tostring(child, encoding="unicode") for child in body)
    return stored_html((body.text or "") + inner)


def _structured(tree) -> dict:
    """The first NewsArticle-like object in the page's JSON-LD, as plain fields."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        for node in _nodes(data):
            kinds = node.get("@type")
            kinds = set(kinds) if isinstance(kinds, list) else {kinds}
            if kinds & NEWS_TYPES:
                page = node.get("mainEntityOfPage")
                return {
                    "headline": node.get("headline") or node.get("name"),
                    "description": node.get("description"),
                    "published": node.get("datePublished"),
                    "url": node.get("url") or (page.get("@id") if isinstance(page, dict) else page),
                    "section": _first(node.get("articleSection")),
                    "keywords": _keywords(node.get("keywords")),
                    "authors": _names(node.get("author")),
                }
    return {}


def _nodes(data) -> Iterator[dict]:
    if isinstance(data, list):
        for entry in data:
            yield from _nodes(entry)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _nodes(data["@graph"])


def _first(value) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")


def _keywords(value) -> list[str]:
    if isinstance(value, str):
        return [word.strip() for word in value.split(",") if word.strip()]
    if isinstance(value, list):
        return [str(word).strip() for word in value if str(word).strip()]
    return []


def _names(value) -> list[str]:
    if isinstance(value, (str, dict)):
        value = [value]
    names = []
    for entry in value or []:
        name = entry.get("name") if isinstance(entry, dict) else entry
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def _split_names(text: str) -> list[str]:
    text = text.strip()
    if text.lower().startswith("by "):
        text = text[3:]
    return [name.strip() for part in re.split(r";| and ", text) for name in part.split(",") if name.strip()]


def _meta(tree) -> dict:
    found: dict = {"_tags": []}
    for element in tree.xpath("//meta[@content]"):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        if key == "article:tag":
            found["_tags"].append((key, element.get("content").strip()))
        elif key and key not in found:
            found[key] = element.get("content").strip()
    return found


def _link(tree, rel: str) -> str:
    links = tree.xpath(f'//link[@rel="{rel}"]/@href')
    return links[0].strip() if links else ""


def _published(facts: dict, meta: dict, text: str, name: str) -> datetime | None:
    for label, value in (("datePublished", facts.get("published")), ("article:published_time", meta.get("article:published_time"))):
        if value:
            return aware_time(value, label=label, origin=name)
    match = DATELINE_TEXT.search(text)
    if match:
        try:
            return house.parse_dateline(match.group(1))
        except ValueError as error:
            raise ImportFailed(name, f"Published line {error}") from None
    return None
