"""What a story's own words decide, apart from the database: worked out where CPU is to spare.

The bulk path refuses text that is not text, makes a slug from the headline, cuts the headline
into the newsroom's search words, folds the text the site's search indexes and encodes the words
a revision keeps. None of that
needs the database, so an import works it out in its reading process (``ingest.prefetch``),
beside the writing one, and the writer only writes. Whoever builds a ``Story`` may leave it to
the writer instead: ``bulk.Writer`` derives what it is not given, with these same functions.
"""

import json
from dataclasses import dataclass

from django.utils.text import slugify

from masthead import sanitize
from masthead.characters import first_bad
from masthead.news.models import HeadlineWord
from masthead.search.text import fold, plain

CHECKED = ("headline", "kicker", "summary", "body", "body_html", "source", "section", "slug")


@dataclass(frozen=True)
class Derived:
    """A story's words as its indexes and its revision take them; ``refusal`` says why it cannot be stored."""

    refusal: str | None
    body_html: str  # as stored: the source's HTML, or ``body`` rendered from Markdown
    slug: str  # made from the headline, for a new story that names none
    headline_words: list[str]  # sorted, as HeadlineWord keeps them
    search_headline: str  # folded, as search.text.document() makes them
    search_standfirst: str
    search_body: str
    revision_words: str  # the words a new story's revision keeps (WORDS), as JSON members: '"kicker": "", ...'


def refusal(story) -> str | None:
    """Why ``story`` (a ``bulk.Story``) cannot be stored as it is, naming the field, or None."""
    for name in CHECKED:
        value = getattr(story, name)
        if name == "body_html" and value is story.body:
            continue  # an HTML body is stored as both: once is enough
        bad = first_bad(value or "")
        if bad:
            return f"{name} holds {bad}, a control character that is not text: remove it from the source"
    for name in ("tags", "authors"):
        for value in getattr(story, name):
            bad = first_bad(value)
            if bad:
                return f"{name[:-1]} {value!r} holds {bad}, a control character that is not text: remove it from the source"
    return None


def derive(story) -> Derived:
    """What ``story`` (a ``bulk.Story``) alone decides; the slug a revision keeps is the one the writer files."""
    reason = refusal(story)
    if reason:
        return Derived(refusal=reason, body_html="", slug="", headline_words=[], search_headline="",
                       search_standfirst="", search_body="", revision_words="")
    body_html = sanitize.render_markdown(story.body) if story.body_html is None else story.body_html
    return Derived(
        refusal=None,
        body_html=body_html,
        slug=story.slug or slugify(story.headline, allow_unicode=True)[:120].strip("-") or "story",
        headline_words=sorted(HeadlineWord.words(story.headline)),
        search_headline=fold(story.headline),
        search_standfirst=fold(" ".join(part for part in (story.kicker, story.summary) if part)),
        search_body=fold(plain(body_html)),
        revision_words=", ".join(f"{json.dumps(name)}: {json.dumps(getattr(story, name))}" for name in WORDS),
    )


# What a new story's revision keeps exactly as the source gave it (the rest of it, from the slug to
# the people and the state, is the stored article's, so the writer encodes that itself).
WORDS = ("kicker", "headline", "summary", "body", "source", "language")
