"""Small factories for stories and what they are filed under."""

import itertools
from datetime import timedelta

from django.utils import timezone

from masthead.stories import changes
from masthead.news.models import Article, Author, Section, Tag
from tests.stories.factories import SYSTEM

_counter = itertools.count(1)


def make_section(**overrides) -> Section:
    n = next(_counter)
    fields = {"name": f"Section {n}", "slug": f"section-{n}", **overrides}
    return Section.objects.create(**fields)


def make_tag(**overrides) -> Tag:
    n = next(_counter)
    return Tag.objects.create(**{"name": f"Tag {n}", "slug": f"tag-{n}", **overrides})


def make_author(**overrides) -> Author:
    n = next(_counter)
    return Author.objects.create(**{"name": f"Reporter {n}", "slug": f"reporter-{n}", **overrides})


def make_article(*, tags=(), authors=(), **overrides) -> Article:
    """A published story from an hour ago, saved through the story service (which indexes and purges)."""
    n = next(_counter)
    fields = {
        "headline": f"Story number {n}",
        "summary": f"Summary of story {n}.",
        "body": f"First paragraph of story {n}.\n\nSecond paragraph.",
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(hours=1),
        **overrides,
    }
    if "section" not in fields:
        fields["section"] = make_section()
    return changes.create(Article(**fields), by=SYSTEM, tags=list(tags), authors=list(authors))
