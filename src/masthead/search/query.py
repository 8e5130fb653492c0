"""A reader's query, read into terms the backends can match safely.

Readers type anything: quotes left open, ``*`` and ``-``, SQL, FTS syntax, emoji, whole
paragraphs. None of it reaches a search engine as syntax. The text is read here into words,
quoted phrases and word beginnings (``negotiat*``), and each backend writes those as quoted
terms of its own query language, so no input can make a query fail.
"""

import re
from dataclasses import dataclass

from masthead.search import text

# Longer input is cut: nobody types more, and an unbounded query is an unbounded cost.
MAX_CHARS = 500
MAX_TERMS = 12
# "a*" would match most of the archive: shorter word beginnings are matched as whole words.
MIN_PREFIX = 3
CHUNK = re.compile(r'"([^"]*)"?|([^\s"]+)')


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of words in order; ``prefix``: the last word matches as a word beginning."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Query:
    text: str  # what the reader typed, trimmed
    terms: tuple[Term, ...]
    shortened: bool = False  # the input had more than MAX_CHARS characters or MAX_TERMS terms

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def words(self) -> set[str]:
        return {word for term in self.terms for word in term.words}


def _term(chunk: str) -> Term | None:
    found = text.words(chunk)
    if not found:
        return None
    prefix = chunk.rstrip().endswith("*") and len(found[-1]) >= MIN_PREFIX and \
        text.words(chunk.rstrip().rstrip("*"))[-1:] == found[-1:]
    return Term(tuple(found), prefix=prefix)


def parse(raw: str) -> Query:
    """Read what a reader typed into a Query; an empty Query if it holds no words."""
    raw = (raw or "").strip()
    shortened = len(raw) > MAX_CHARS
    raw = raw[:MAX_CHARS]
    terms: list[Term] = []
    # Folded before it is cut into words, so that a detached Persian affix (می رود) joins its word
    # as it did when the story was indexed.
    for match in CHUNK.finditer(text.fold(raw)):
        quoted, bare = match.groups()
        term = _term(quoted if quoted is not None else bare)
        if term is not None and term not in terms:
            terms.append(term)
    if len(terms) > MAX_TERMS:
        terms, shortened = terms[:MAX_TERMS], True
    return Query(text=raw, terms=tuple(terms), shortened=shortened)
