"""The search backend interface: what every backend must do, and what they share.

A backend keeps an index of published stories in the site's own database and answers queries
against it. Each entry carries a copy of its story's ``published_at`` and section, written in
the same transaction as the story, so that filters and sorting never read the (wide) article
rows. Visibility is decided when a query runs: ``published_at`` is compared with the query's
moment, so a scheduled story is found from its second on and never before; and the stories
of the page shown are read through ``Article.objects.visible()``, the one definition of what a
reader may see, so that nothing else can ever be shown, whatever the index holds.

Models are imported where used: this package is imported while Django loads its apps.
"""

import contextlib
import multiprocessing
from collections import defaultdict, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from django.db import transaction

from masthead.search import text
from masthead.search.query import Query


@dataclass(frozen=True)
class Filters:
    """What narrows a search: the moment it runs (for visibility), an edition, a section, a date range [since, until)."""

    at: datetime
    language: str | None = None  # None: every edition
    section_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


class SearchBackend:
    """Required methods raise NotImplementedError; ``index`` and ``rebuild`` are built on them."""

    # Relevance sorts by rank, then newest first; "newest" sorts by date alone.
    ORDERS = ("relevance", "newest")
    # Both orders sort the CANDIDATES newest matching stories (by News ID, which grows with
    # publication), not every match: a word in half of a 300,000-story archive would otherwise
    # be ranked 150,000 times a query. So a query costs the same at any archive size, and
    # readers of a newspaper get the best of its recent coverage. A narrower search (another
    # word, a section, dates) reaches further back.
    CANDIDATES = 5000

    def __init__(self, connection):
        self.connection = connection

    # Required.
    def upsert(self, documents: list[text.Document]) -> None:
        raise NotImplementedError

    def remove(self, article_ids: list[int]) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def find(self, query: Query, *, filters: Filters, order: str, offset: int, limit: int) -> list[int]:
        """News IDs of visible matching stories, best first, from ``offset``."""
        raise NotImplementedError

    def count(self, query: Query, *, filters: Filters, cap: int) -> int:
        """How many visible stories match, counting no further than ``cap``."""
        raise NotImplementedError

    def texts(self, article_ids: list[int]) -> dict[int, tuple[str, str]]:
        """The indexed (standfirst, body) of each story, for snippets."""
        raise NotImplementedError

    # Optional.
    def optimize(self) -> None:
        """Tidy the index after a bulk change (merge segments, refresh planner statistics)."""

    def refresh_window_index(self, *, concurrently: bool = False) -> list[str]:
        """Daily upkeep of indexes of the newest stories, where the backend keeps them; return their names (default: none)."""
        return []

    def pair_entries(self, *, at_most: int | None = None) -> int:
        """Upkeep of what the backend indexes for phrases, where it needs any; return how many entries it gave (default: none)."""
        return 0

    @contextlib.contextmanager
    def rebuilding(self):
        """A context yielding the function ``rebuild`` writes what ``prepare`` made with, into an index made
        afresh that is the one in use when the context ends. Default: the index emptied and written in
        one transaction, then ``optimize``."""
        with transaction.atomic(using=self.connection.alias):
            self.clear()
            yield self.insert
            self.optimize()

    def prepare(self, documents: list[text.Document]):
        """What ``insert`` writes of ``documents``, made without the database (in ``rebuild``'s second process)."""
        return documents

    def insert(self, prepared) -> None:
        """Write what ``prepare`` made of stories the index does not hold (during ``rebuild``); default: ``upsert``."""
        self.upsert(prepared)

    # Built on the above.
    def index(self, article_ids: Iterable[int]) -> int:
        """Bring the index in step with these stories as stored: published ones in, the rest out."""
        article_ids = list(article_ids)
        found = documents(article_ids)
        self.upsert(found)
        gone = set(article_ids) - {doc.article_id for doc in found}
        if gone:
            self.remove(sorted(gone))
        return len(found)

    def rebuild(self, *, batch: int = 2000, progress: Callable[[int], None] | None = None) -> int:
        """Index every published story afresh; return how many are indexed."""
        from masthead.news.models import Article

        ids = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("id").values_list("id", flat=True)
        done, last = 0, 0
        with self.rebuilding() as insert, _making(self.prepare) as make:
            # Each batch is read here (in the transaction ``rebuilding`` opens), made into documents and the
            # backend's rows by the second process, two batches ahead, and written here in order.
            ahead: deque = deque()

            def write_oldest() -> None:
                nonlocal done
                count, made = ahead.popleft()
                insert(made())
                done += count
                if progress:
                    progress(done)

            while chunk := list(ids.filter(id__gt=last)[:batch]):
                ahead.append((len(chunk), make(_fields(chunk))))
                last = chunk[-1]
                if len(ahead) > 2:
                    write_oldest()
            while ahead:
                write_oldest()
        return done


# Set before the worker process is forked, so that it calls the backend's ``prepare`` without pickling a backend.
_prepare_in_worker = None


def _made(fields):
    return _prepare_in_worker(_documents(fields))


@contextlib.contextmanager
def _making(prepare):
    """A function that takes a batch's stored fields and returns a function returning what ``prepare`` makes of them.

    Folding the text, cutting it into words and making the backend's rows is most of a rebuild's
    work in Python: a forked worker process does it while this one reads and writes the database
    (the worker never touches it). Where processes cannot be forked, it is done here.
    """
    global _prepare_in_worker
    if "fork" not in multiprocessing.get_all_start_methods():
        yield lambda fields: (lambda made=prepare(_documents(fields)): made)
        return
    _prepare_in_worker = prepare
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as worker:
            yield lambda fields: worker.submit(_made, fields).result
    finally:
        _prepare_in_worker = None


def documents(article_ids: list[int]) -> list[text.Document]:
    """The Documents of those of ``article_ids`` that are published (scheduled ones included), in three queries."""
    return _documents(_fields(article_ids)) if article_ids else []


def _fields(article_ids: list[int]) -> tuple[list[tuple], dict, dict]:
    """The stored fields ``documents`` are made of: the published stories' rows, their tags and their authors."""
    from masthead.news.models import Article

    rows = list(Article.objects.filter(pk__in=article_ids, status=Article.Status.PUBLISHED)
                .values_list("id", "published_at", "section_id", "headline", "kicker", "summary", "body_html", "language"))
    tags, authors = defaultdict(list), defaultdict(list)
    for article_id, name in Article.tags.through.objects.filter(article_id__in=article_ids).values_list("article_id", "tag__name"):
        tags[article_id].append(name)
    # Authors in byline order (the order their links were written), so every writer of the index agrees.
    bylines = Article.authors.through.objects.filter(article_id__in=article_ids).order_by("pk")
    for article_id, name in bylines.values_list("article_id", "author__name"):
        authors[article_id].append(name)
    return rows, dict(tags), dict(authors)


def _documents(fields: tuple[list[tuple], dict, dict]) -> list[text.Document]:
    rows, tags, authors = fields
    return [
        text.document(article_id=pk, published_at=published_at, section_id=section_id, headline=headline,
                      kicker=kicker, summary=summary, body_html=body_html, tags=sorted(tags.get(pk, [])),
                      authors=authors.get(pk, []), language=language)
        for pk, published_at, section_id, headline, kicker, summary, body_html, language in rows
    ]


def filter_sql(filters: Filters, *, connection, alias: str) -> tuple[str, list]:
    """SQL conditions (and parameters) on an index entry ``alias``: visible at ``filters.at``, and the filters.

    Entries exist for published stories only, so visibility is their time against the query's.
    """
    moment = connection.ops.adapt_datetimefield_value
    conditions = [f"{alias}.published_at <= %s"]
    params: list = [moment(filters.at)]
    if filters.language is not None:
        conditions.append(f"{alias}.language = %s")
        params.append(filters.language)
    if filters.section_id is not None:
        conditions.append(f"{alias}.section_id = %s")
        params.append(filters.section_id)
    if filters.since is not None:
        conditions.append(f"{alias}.published_at >= %s")
        params.append(moment(filters.since))
    if filters.until is not None:
        conditions.append(f"{alias}.published_at < %s")
        params.append(moment(filters.until))
    return " AND ".join(conditions), params
