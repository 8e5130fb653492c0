"""Highlighted snippets: the stretch of a story that holds most of the query, matches in <mark>.

Made here rather than by each database (FTS5 ``snippet()``, PostgreSQL ``ts_headline``) so
both backends show the same snippet, cut by the same rules as the index, and so escaping is in
one place: the text is escaped first, and only then are the matches wrapped.
"""

import html

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from masthead.search import text
from masthead.search.query import Query, Term

WINDOW = 32  # words in a snippet
LEAD_IN = 4  # words shown before the first match
REGION_BEFORE, REGION_AFTER = 300, 1500  # characters around the first match that the snippet is chosen from


def _fold(word: str) -> str:
    return word.lower() if word.isascii() else (text.words(word) or [""])[0]


def _spans(body: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of every word of ``body[start:end]``."""
    end = len(body) if end is None else end
    if body.isascii():  # lower() keeps ASCII offsets, and ASCII needs no other folding
        return [(match.start(), match.end(), match.group()) for match in text.WORD.finditer(body.lower(), start, end)]
    return [(match.start(), match.end(), _fold(match.group())) for match in text.WORD.finditer(body, start, end)]


def _region(body: str, query: Query) -> tuple[int, int] | None:
    """Where in ``body`` to look for the snippet: around the first match, or None if nothing can match.

    Cutting a long story into words is the costly part, so a plain-text look for the query's
    words comes first (exact for ASCII text; other text is read whole).
    """
    if not body.isascii():
        return 0, len(body)
    lowered = body.lower()
    places = [lowered.find(term.words[0]) for term in query.terms]
    places = [place for place in places if place >= 0]
    if not places:
        return None
    first = min(places)
    start = max(0, lowered.rfind(" ", 0, max(0, first - REGION_BEFORE)) + 1) if first > REGION_BEFORE else 0
    end = lowered.find(" ", first + REGION_AFTER)
    return start, len(body) if end < 0 else end


def _word_matches(word: str, wanted: str, *, prefix: bool) -> bool:
    return word.startswith(wanted) if prefix else word == wanted


def _hits(spans, terms: tuple[Term, ...]) -> dict[int, int]:
    """Word index -> number of the term it belongs to, for every place a whole term (word or phrase) occurs."""
    hits: dict[int, int] = {}
    words = [word for _, _, word in spans]
    for number, term in enumerate(terms):
        size, first = len(term.words), term.words[0]
        first_is_prefix = term.prefix and size == 1
        for i in range(len(words) - size + 1):
            if not (words[i].startswith(first) if first_is_prefix else words[i] == first):
                continue
            if all(_word_matches(words[i + k], term.words[k], prefix=term.prefix and k == size - 1) for k in range(1, size)):
                hits.update((i + k, number) for k in range(size))
    return hits


def _best_start(spans, hits: dict[int, int]) -> int:
    """Where the window holding the most different terms (then the most matches) begins; the earliest wins."""
    if not hits:
        return 0
    best, best_score = 0, (-1, -1)
    for first in sorted(hits)[:500]:
        inside = [hits[i] for i in hits if first <= i < first + WINDOW]
        score = (len(set(inside)), len(inside))
        if score > best_score:
            best, best_score = first, score
    return max(0, min(best - LEAD_IN, len(spans) - WINDOW))


def snippet(query: Query, *texts: str) -> SafeString:
    """HTML: the best window of the first of ``texts`` that matches the query (else the start of the first)."""
    candidates = [t for t in texts if t]
    if not candidates:
        return mark_safe("")
    for body in candidates:
        region = _region(body, query)
        if region is None:
            continue
        spans = _spans(body, *region)
        hits = _hits(spans, query.terms)
        if hits:
            break
    else:
        body = candidates[0]
        spans, hits = _spans(body, 0, 600), {}
    if not spans:
        return mark_safe(escape(body[:300]))
    start = _best_start(spans, hits)
    end = min(start + WINDOW, len(spans))
    out, cursor, open_mark = [], spans[start][0], False
    for i in range(start, end):
        begin, finish, _ = spans[i]
        # html.escape is what Django's escape() calls, without its lazy-string wrapper: this
        # loop runs for every word of every snippet on the page.
        gap = html.escape(body[cursor:begin])
        # A phrase is one <mark>: the gaps between its words stay inside it.
        joined = open_mark and i in hits and hits.get(i - 1) == hits[i]
        if open_mark and not joined:
            out.append("</mark>")
            open_mark = False
        out.append(gap)
        if i in hits and not open_mark:
            out.append("<mark>")
            open_mark = True
        out.append(html.escape(body[begin:finish]))
        cursor = finish
    if open_mark:
        out.append("</mark>")
    more_after = text.WORD.search(body, cursor) is not None
    if not more_after:
        out.append(html.escape(body[cursor:]))
    more_before = text.WORD.search(body, 0, spans[start][0]) is not None
    return mark_safe(("… " if more_before else "") + "".join(out).strip() + (" …" if more_after else ""))
