"""Marking a response for the page cache and for CDNs: the one way every public page does it."""

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from masthead.delivery import keys as surrogate, pagecache
from masthead.news import storypage


def cacheable(response, keys: Iterable[str], *, now: datetime | None = None, last_modified: datetime | None = None,
              bounded_by_schedule: bool = True, until: datetime | None = None, reads: Iterable[str] = (),
              strict: bool = False):
    """Mark ``response`` cacheable under the surrogate ``keys`` (names from ``delivery.keys``).

    It lives no longer than the next scheduled story (unless ``bounded_by_schedule`` is off, for
    pages that never show another story) nor than ``until`` (a breaking-news banner's end).
    ``now`` is the moment the page was read at, so the listing and its bound agree.
    ``reads`` names the query parameters the page's content depends on: any other parameter
    shares the page's cached entry, unless ``strict`` (the page refuses unknown parameters),
    when a request carrying one is not answered from the cache.
    """
    unkeyed = set(reads) - pagecache.KEYED_PARAMS
    if unkeyed:  # the cache key would drop them: every value of theirs would share one entry
        raise ValueError(f"A cacheable page reads {sorted(unkeyed)}, which delivery.pagecache.KEYED_PARAMS lacks.")
    now = now or timezone.now()
    response.surrogate_keys = set(keys)
    response.last_modified = last_modified
    response.cache_reads = frozenset(reads)
    response.cache_strict = strict
    upcoming = storypage.next_scheduled_time(now) if bounded_by_schedule else None
    ends = min((t for t in (upcoming, until) if t is not None), default=None)
    if ends is not None:
        response.cache_lifetime = max(0, int((ends - now).total_seconds()))
    return response


def names_on(story) -> set[str]:
    """The keys of the names a page of ``story`` shows besides its own: its tags', its authors' and
    its section's (read with the story's tags and authors, as its page and the API read them)."""
    return ({surrogate.SECTIONS} | {surrogate.tag_name(tag.pk) for tag in story.tags.all()}
            | {surrogate.author_name(author.pk) for author in story.authors.all()})
