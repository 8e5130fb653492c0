"""What search reads: an article as plain text fields, and words folded the same way on both sides.

Both backends must see the same words in a story and in a reader's query, or a query that works
on SQLite would fail on PostgreSQL. So words are cut here, in one place, as SQLite's ``unicode61``
tokenizer cuts them: runs of letters and digits; everything else (punctuation, the zero-width
non-joiner inside Persian words, underscores) separates them.
"""

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

WORD = re.compile(r"[^\W_]+")
TAG = re.compile(r"<[^>]*>")
# Snippet highlight markers: private-use characters no story contains (they are removed from
# indexed text), so the escaped snippet can turn them into <mark> and nothing else.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"

# Persian text is often typed with Arabic keyboards: Arabic yeh and kaf look the same to a
# reader but are other letters to a computer. Persian and Arabic-Indic digits fold to ASCII.
_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "ٱ": "ا",
                       **{chr(0x06F0 + n): str(n) for n in range(10)}, **{chr(0x0660 + n): str(n) for n in range(10)},
                       MARK_OPEN: " ", MARK_CLOSE: " "})


# Persian writes one word three ways: می‌رود (with a zero-width non-joiner), میرود and می رود.
# The non-joiner is dropped, and the verb prefixes and plural/comparative suffixes that may stand
# apart are joined to their word, so all three fold to میرود. Tatweel (kashida, a stretch of the
# line) and the Arabic short-vowel marks are not letters a reader types: they go.
_UNWRITTEN = dict.fromkeys([0x200C, 0x0640, *range(0x064B, 0x0660), 0x0670])
_PREFIX = re.compile(r"(?<![^\W\d_])(ن?می|بی)\s+(?=[^\W\d_])")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
_SUFFIX = re.compile(r"(?<=[^\W\d_])\s+(هایی|های|ها|ترین|تر)(?![^\W\d_])")


def fold(text: str) -> str:
    """``text`` as search reads it: Arabic letter forms and non-Latin digits written as Persian and
    ASCII ones, the non-joiner, tatweel and short vowels dropped, detached affixes joined."""
    text = text.translate(_FOLD).translate(_UNWRITTEN)
    if _ARABIC_SCRIPT.search(text):
        text = _SUFFIX.sub(r"\1", _PREFIX.sub(r"\1", text))
    return text


def _is_latin(char: str) -> bool:
    return char < "\u0250" or "\u1e00" <= char <= "\u1eff"


def words(text: str) -> list[str]:
    """The searchable words of ``text``: lower case, Latin accents removed (as unicode61 remove_diacritics 2)."""
    found = []
    for word in WORD.findall(fold(text)):
        word = word.lower()
        if not word.isascii():
            decomposed = unicodedata.normalize("NFD", word)
            kept, previous = [], ""
            for char in decomposed:
                if unicodedata.category(char) == "Mn" and previous and _is_latin(previous):
                    continue
                kept.append(char)
                previous = char if unicodedata.category(char) != "Mn" else previous
            word = unicodedata.normalize("NFC", "".join(kept))
        found.append(word)
    return found


def plain(markup: str) -> str:
    """The text of sanitised HTML: tags become spaces (so paragraphs do not run together), entities characters."""
    # str.split() cuts at the whitespace a regular expression's \s would, in a third of the
    # time: an import indexes thousands of stories a second.
    return " ".join(html.unescape(TAG.sub(" ", markup or "")).split())


@dataclass(frozen=True)
class Document:
    """An article as search indexes it; weights: headline A, standfirst (kicker and summary) B, body and labels C."""

    article_id: int
    published_at: datetime  # copied for filtering and sorting without reading the article rows
    section_id: int
    headline: str
    standfirst: str
    body: str
    labels: str  # tags and authors
    language: str = "en"  # the story's edition: each edition's search finds its own stories


def document(*, article_id: int, published_at: datetime, section_id: int, headline: str, kicker: str, summary: str, body_html: str,
             tags: list[str], authors: list[str], language: str = "en") -> Document:
    """The Document for one article's fields."""
    return Document(
        article_id=article_id,
        published_at=published_at,
        section_id=section_id,
        headline=fold(headline),
        standfirst=fold(" ".join(part for part in (kicker, summary) if part)),
        body=fold(plain(body_html)),
        labels=fold(" · ".join([*tags, *authors])),
        language=language,
    )
