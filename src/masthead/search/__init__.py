"""Search the archive: one interface, a backend per database (SQLite FTS5 or PostgreSQL full text).

    from masthead import search
    results = search.search("foreign forces", section=politics, order="newest", page=2)
    search.index(article)        # called by stories.indexes.refresh() on every change
    search.index_stories(ids)    # called by stories.taxonomy when a tag or an author is renamed
    search.rebuild()             # ``masthead rebuild_search_index``

The backend follows ``connection.vendor``, as Django picks its own database features.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone as dt_timezone

from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString

from masthead.search.backends.base import Filters, SearchBackend
from masthead.search.query import Query, parse
from masthead.search.snippets import snippet

BACKENDS = {"sqlite": "masthead.search.backends.sqlite.Backend",
            "postgresql": "masthead.search.backends.postgresql.Backend"}
PAGE_SIZE = 20
# Relevance pages stop here: nobody reads result 1,001, and a bounded offset keeps every page cheap.
MAX_RESULTS = 1000
ORDERS = SearchBackend.ORDERS
# What a result shows of its story, and what Article.is_visible reads (a field left out here
# would be fetched by a query of its own for every hit).
SHOWN = ("id", "slug", "kicker", "headline", "language", "status", "published_at", "embargo_until",
         "section__name", "section__name_fa", "section__slug")


def backend(using=None) -> SearchBackend:
    """The search backend of the database ``using`` (default: the default database)."""
    conn = connection if using is None else using
    if conn.vendor not in BACKENDS:
        raise NotImplementedError(f"Masthead search supports SQLite and PostgreSQL databases, not {conn.vendor}.")
    return import_string(BACKENDS[conn.vendor])(conn)


def index(article) -> None:
    """Bring the index in step with ``article`` as now stored, in the caller's transaction.

    Called after the story, its tags and its authors are saved; in the same transaction, so
    the index commits (or rolls back) with the story: a publish is found the moment it commits.
    """
    backend().index([article.pk])


def index_stories(article_ids, *, batch: int = 1000) -> None:
    """``index`` for many stories, ``batch`` at a time: a renamed tag or author relabels every story filed under it."""
    article_ids = sorted(set(article_ids))
    for start in range(0, len(article_ids), batch):
        backend().index(article_ids[start:start + batch])


def rebuild(*, progress=None) -> int:
    """Index every published story afresh. On SQLite in one transaction: readers see the old index until it
    commits, writers wait for it as for any write. On PostgreSQL beside the index in use, swapped in at the
    end (``masthead.shadowtables``): searches and saves go on meanwhile."""
    return backend().rebuild(progress=progress)


@dataclass
class Hit:
    article: object  # news.Article, with its section
    snippet: SafeString


@dataclass
class Results:
    query: Query
    order: str
    page: int
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # at most MAX_RESULTS (then there are more)
    has_next: bool = False

    @property
    def more_than_total(self) -> bool:
        return self.total >= MAX_RESULTS

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def start(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=dt_timezone.utc)


def search(text: str | Query, *, language: str | None = None, section=None, since: date | None = None,
           until: date | None = None, order: str = "relevance", page: int = 1, at: datetime | None = None) -> Results:
    """Visible stories matching ``text``, best (or newest) first, a page at a time.

    ``language`` keeps to one edition's stories (None: every edition). ``since`` and ``until``
    are days (UTC), both included. Pages beyond MAX_RESULTS are empty.
    """
    query = text if isinstance(text, Query) else parse(text)
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    results = Results(query=query, order=order, page=max(1, page))
    offset = (results.page - 1) * PAGE_SIZE
    if not query or offset >= MAX_RESULTS:
        return results
    from masthead.news.models import Article

    filters = Filters(at=at or timezone.now(), language=language, section_id=getattr(section, "pk", section),
                      since=day_start(since) if since else None,
                      until=day_start(until) + timedelta(days=1) if until and until < date.max else None)
    engine = backend()
    limit = min(PAGE_SIZE, MAX_RESULTS - offset)
    ids = engine.find(query, filters=filters, order=order, offset=offset, limit=limit + 1)
    results.has_next = len(ids) > limit and offset + limit < MAX_RESULTS
    ids = ids[:limit]
    # The last page knows the total; other pages count, no further than MAX_RESULTS.
    results.total = engine.count(query, filters=filters, cap=MAX_RESULTS) if results.has_next else offset + len(ids)
    # Read by primary key (filtering on visibility in SQL makes SQLite walk the visibility index
    # instead); Article.is_visible, the same rule as Article.objects.visible(), has the last word.
    articles = Article.objects.select_related("section").only(*SHOWN).in_bulk(ids)
    texts = engine.texts(ids)
    for pk in ids:
        if pk in articles and articles[pk].is_visible(at=filters.at):
            standfirst, body = texts.get(pk, ("", ""))
            results.hits.append(Hit(article=articles[pk], snippet=snippet(query, body, standfirst)))
    return results
