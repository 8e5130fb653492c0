"""Keyset (seek) pagination of newest-first story lists.

A page is addressed by the story it continues from, not by a page number, so the database
seeks straight to it through the (published_at, id) index: page 1,000 costs what page 1 costs.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.http import Http404

from masthead import parameters

PAGE_SIZE = 20
# The query parameters a list reads: a page is cached under these and no others.
PARAMS = ("before", "after")


@dataclass
class Page:
    items: list
    older: str | None  # cursor for the next (older) page
    newer: str | None  # cursor for the previous (newer) page


def encode(moment: datetime, pk: int) -> str:
    """The cursor of the row at (``moment``, ``pk``): the one form of every keyset cursor, site and API alike."""
    return parameters.cursor(moment, pk)


def decode(text: str) -> tuple[datetime, int]:
    """The (time, id) a cursor from ``encode`` stands for; ValueError (``parameters.BadParameter``) if not one."""
    return parameters.read_cursor(text, name="cursor")


def cursor(article) -> str:
    return encode(article.published_at, article.pk)


def parse_cursor(text: str, *, name: str = "before") -> tuple[datetime, int]:
    try:
        return parameters.read_cursor(text, name=name)
    except parameters.BadParameter as bad:
        raise Http404(bad.message) from None


def _seek(queryset, condition: Q):
    """``queryset`` filtered by the cursor's ``condition``, placed first in the WHERE clause.

    SQLite bounds an index range scan by the first upper (or lower) bound on a column that the
    WHERE clause names and merely filters by the others. Behind the "published, not in the
    future" bound (``published_at <= now``) the cursor's own bound only filtered, so page 1,000
    of a section read 20,000 index entries to find its 20: twelve times page 1's cost on a
    100,000-story archive. PostgreSQL takes the tighter bound whatever the order.
    """
    kept = len(queryset.query.where.children)
    sought = queryset.filter(condition)
    where = sought.query.where
    where.children = where.children[kept:] + where.children[:kept]
    return sought


def paginate(queryset, params, *, size: int = PAGE_SIZE) -> Page:
    """One page of ``queryset`` (visible stories), from ``params['before']`` or ``params['after']``."""
    def read(bound, *, older: bool, limit: int) -> list:
        if bound is None:
            return list(queryset.order_by("-published_at", "-id")[:limit])
        moment, pk = bound
        if older:
            return list(_seek(queryset, Q(published_at__lte=moment) & ~Q(published_at=moment, id__gte=pk))
                        .order_by("-published_at", "-id")[:limit])
        return list(_seek(queryset, Q(published_at__gte=moment) & ~Q(published_at=moment, id__lte=pk))
                    .order_by("published_at", "id")[:limit])

    return page_of(read, params, size=size)


def page_of(read, params, *, size: int = PAGE_SIZE) -> Page:
    """One page of the stories ``read`` gives, from ``params['before']`` or ``params['after']``.

    ``read(bound, older=…, limit=…)`` answers up to ``limit`` stories: with ``older``, newest first
    and older than ``bound`` (a cursor's (time, id), or None for the newest); without, oldest first
    and newer than ``bound``.
    """
    if params.get("before"):
        rows = read(parse_cursor(params["before"]), older=True, limit=size + 1)
        items, more = rows[:size], len(rows) > size
        return Page(items, cursor(items[-1]) if more else None, cursor(items[0]) if items else None)
    if params.get("after"):
        rows = read(parse_cursor(params["after"], name="after"), older=False, limit=size + 1)
        items = list(reversed(rows[:size]))
        more = len(rows) > size
        return Page(items, cursor(items[-1]) if items else None, cursor(items[0]) if more else None)
    rows = read(None, older=True, limit=size + 1)
    items = rows[:size]
    return Page(items, cursor(items[-1]) if len(rows) > size else None, None)
