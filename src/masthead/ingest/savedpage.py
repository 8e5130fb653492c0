"""Saved article pages in the paper's plain-text form, as in ``iran-daily-302104.txt``::

    News ID: 302104
    Published: 0535 GMT April 12, 2021

    'Leave the region,' Iran FM tells foreign powers      <- the headline, printed twice
    'Leave the region,' Iran FM tells foreign powers
    Iran's Foreign Minister ...                            <- body paragraphs, one a line
    Security Key:                                          <- page furniture, dropped
    Captcha refresh
    Page Generated in 0/0678 sec

Tolerant of what saved pages really hold (blank lines, Windows line ends, a byte-order mark,
furniture anywhere and in any order); strict about what it cannot know: no News ID or no
headline is an error naming the file and line, and a page without a Published line is
imported as a draft without a time rather than with an invented one.
"""

import re
from collections.abc import Iterator

from masthead import house
from masthead.ingest.items import ImportFailed, Item, unreadable
from masthead.ingest.sources import Input

MAX_PAGE_BYTES = 16 * 1024 * 1024
# The Persian edition's pages label the same fields کد خبر and تاریخ انتشار, with a Jalali date.
FIELD = re.compile(r"^(News ID|Published|کد خبر|تاریخ انتشار)\s*:\s*(.*)$", re.IGNORECASE)
FURNITURE = re.compile(
    r"^(Security Key\s*:.*|Captcha refresh.*|Page Generated in\s+[0-9۰-۹]+(?:[/.,٫][0-9۰-۹]+)?\s*sec\.?"
    r"|کد امنیتی\s*:.*|تازه‌?سازی.*|زمان ساخت صفحه\s+[0-9۰-۹]+(?:[/.,٫][0-9۰-۹]+)?\s*ثانیه)$",
    re.IGNORECASE,
)
# A paragraph that starts like Markdown block syntax would be read as a heading, list or quote.
MARKDOWN_START = re.compile(r"^(#|>|[-+*]\s|\d+[.)]\s)")
PERSIAN = re.compile(r"[\u0600-\u06FF]")


def read(source: Input) -> Iterator[Item | ImportFailed]:
    try:
        data = source.read_all(limit=MAX_PAGE_BYTES)
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        yield ImportFailed(source.name, f"is not UTF-8 text (byte {error.start}): save the page as UTF-8")
        return
    except ImportFailed as failure:
        yield failure
        return
    try:
        thing = parse(text, name=source.name)
    except ImportFailed as failure:
        thing = failure
    except Exception as error:
        thing = unreadable(source.name, error)
    yield thing


def parse(text: str, *, name: str) -> Item:
    """The story on one saved page; ImportFailed says which line is wrong or what is missing."""
    news_id = published_at = headline = None
    paragraphs: list[str] = []
    warnings: list[str] = []
    headline_repeated = False
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = " ".join(raw.split())
        if not line or FURNITURE.match(line):
            continue
        match = FIELD.match(line)
        if match and headline is None:
            label, value = match.group(1).lower(), match.group(2).strip()
            if label in ("news id", "کد خبر"):
                value = value.translate(house.LATIN_DIGITS)
                if not value.isdigit() or not value.isascii():
                    raise ImportFailed(f"{name}:{number}", f"News ID {value!r} is not a number")
                if news_id is not None and int(value) != news_id:
                    raise ImportFailed(f"{name}:{number}", f"a second News ID {value} differs from {news_id}")
                news_id = int(value)
            else:
                try:
                    published_at = (house.parse_persian_dateline(value) if PERSIAN.search(value)
                                    else house.parse_dateline(value))
                except ValueError as error:
                    raise ImportFailed(f"{name}:{number}", f"Published line {error}") from None
            continue
        if headline is None:
            headline = line
        elif line == headline and not paragraphs and not headline_repeated:
            headline_repeated = True  # the page prints the headline twice
        else:
            paragraphs.append("\\" + line if MARKDOWN_START.match(line) else line)
    if news_id is None:
        raise ImportFailed(f"{name}:1", "no 'News ID:' line: cannot tell which story this page is")
    if headline is None:
        raise ImportFailed(name, "no headline: the page holds only its News ID and furniture")
    if not paragraphs:
        raise ImportFailed(name, f"no body: nothing follows the headline {headline!r}")
    status = "published"
    if published_at is None:
        status = "draft"
        warnings.append(f"{name}: no 'Published:' line: imported as a draft without a publication time")
    body = "\n\n".join(paragraphs)
    return Item(
        origin=name, source="savedpage", source_key=str(news_id), news_id=news_id, headline=headline,
        body=body, published_at=published_at, status=status, warnings=warnings,
        language="fa" if len(PERSIAN.findall(headline + body)) > len(body) / 3 else "en",
    )
