"""Who the tests act as when a story is set up rather than written by someone, and stories as the bulk path takes them."""

import itertools
from datetime import timedelta

from django.utils import timezone

from masthead.stories import bulk, rules

SYSTEM = rules.System("tests")
_counter = itertools.count(1)


def make_story(**overrides) -> bulk.Story:
    """A published story from an hour ago, filed under a section, two tags and an author, by name."""
    n = next(_counter)
    fields = {
        "headline": f"Bulk story {n}", "section": "World", "summary": f"Summary of bulk story {n}.",
        "body": f"First paragraph of bulk story {n}.\n\nSecond paragraph.",
        "published_at": timezone.now() - timedelta(hours=1), "tags": ["Iraq", "Oil"], "authors": ["Omar Hassan"],
        **overrides,
    }
    return bulk.Story(**fields)
