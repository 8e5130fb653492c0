"""One import run: read every input, write items a batch at a time, count what happened."""

import zipfile
import zlib
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.db import transaction

from masthead.ingest import formats, prefetch, sources
from masthead.ingest.items import ImportFailed, Item, Skipped
from masthead.ingest.progress import Progress
from masthead.ingest.store import Store, reset_sequence
from masthead.news import publishing
from masthead.news.models import Article
from masthead.syndication import websub

BATCH = 1000
# Choosing related stories costs two queries a story; past this many touched stories an import
# leaves it to the next save of each story rather than doubling the run's time.
RELATED_LIMIT = 2000


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    interrupted: bool = False

    @property
    def items(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped + self.failed

    def __str__(self) -> str:
        return (f"{self.created:,} created, {self.updated:,} updated, {self.unchanged:,} unchanged, "
                f"{self.skipped:,} skipped, {self.failed:,} failed")


def run(paths: list[str], *, strict: bool = False, dry_run: bool = False, status: str | None = None,
        format: str | None = None, section: str = "news", stdin: BinaryIO | None = None,
        report: Callable[[str], None] = lambda message: None, progress: Progress | None = None) -> Summary:
    """Import every story found under ``paths``; ``report`` hears each failure, skip and warning as it happens.

    Raises KeyboardInterrupt (with the summary so far) when interrupted; what was committed stays.
    """
    importer = _Run(Store(status=status, section=section, dry_run=dry_run), strict=strict, report=report,
                    progress=progress)
    found = list(sources.inputs(paths, stdin=stdin))
    if progress is not None:
        progress.total = sum(entry.size or 0 for entry in found if isinstance(entry, sources.Input)) or None
    # A dry run writes everything in one transaction and rolls it back, so that what it reports
    # (including what the database would refuse) is what a real run would do.
    with transaction.atomic() if dry_run else nullcontext():
        importer.all(found, format=format)
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run:
        finish(importer.store.touched)
    if importer.summary.interrupted:
        raise KeyboardInterrupt(importer.summary)
    return importer.summary


class _Stop(Exception):
    """--strict: the first failure ends the run."""


class _Run:
    def __init__(self, store: Store, *, strict: bool, report: Callable[[str], None], progress: Progress | None):
        self.store = store
        self.strict = strict
        self.report = report
        self.progress = progress
        self.summary = Summary()
        self.batch: list[tuple[Item, str]] = []
        self.keys_in_batch: set = set()
        self.done_bytes = 0

    def all(self, found: list, *, format: str | None) -> None:
        try:
            for entry in found:
                if isinstance(entry, ImportFailed):
                    self.fail(entry)
                else:
                    self.input(entry, format=format)
            self.flush()
        except _Stop:
            try:
                self.flush()  # what came before the failure goes in, as each item would alone
            except _Stop:
                pass
            self.report("stopped at the first failure (--strict)")
        except KeyboardInterrupt:
            # The batch being written was rolled back by its transaction; earlier ones stay.
            self.summary.interrupted = True
            if self.store.dry_run:
                raise
        finally:
            if self.progress is not None:
                self.progress.update(items=self.summary.items, done_bytes=self.done_bytes)
                self.progress.finish()

    def input(self, entry: sources.Input, *, format: str | None) -> None:
        read = formats.reader(entry, forced=format)
        if read is None:
            self.summary.skipped += 1
            self.report(f"skipped: {entry.name}: not a format masthead import reads (use --format)")
        else:
            try:
                for thing in prefetch.items(read, entry):
                    self.take(thing)
                    if self.progress is not None:
                        self.progress.update(items=self.summary.items + len(self.batch),
                                             done_bytes=self.done_bytes + entry.position)
            except ImportFailed as failure:  # raised while reading, e.g. a zip entry larger than it said
                self.fail(failure)
            except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as error:
                self.fail(ImportFailed(entry.name, f"could not be read to the end: {error}"))
        self.done_bytes += entry.size or entry.position

    def take(self, thing: Item | ImportFailed | Skipped) -> None:
        if isinstance(thing, Skipped):
            self.summary.skipped += 1
            self.report(f"skipped: {thing.origin}: {thing.reason}")
            return
        if isinstance(thing, ImportFailed):
            self.fail(thing)
            return
        for warning in thing.warnings:
            self.report(f"warning: {warning}")
        try:
            digest = self.store.prepare(thing)
        except ImportFailed as failure:
            self.fail(failure)
            return
        key, number = (thing.source, thing.source_key), ("news id", thing.news_id)
        if key in self.keys_in_batch or number in self.keys_in_batch:
            self.flush()  # the same story twice: the later one updates what the earlier wrote
        self.keys_in_batch.add(key)
        if thing.news_id is not None:
            self.keys_in_batch.add(number)
        self.batch.append((thing, digest))
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        outcomes, failures = self.store.write(self.batch, strict=self.strict)
        for outcome in outcomes:
            setattr(self.summary, outcome.result, getattr(self.summary, outcome.result) + 1)
        self.batch.clear()
        self.keys_in_batch.clear()
        for failure in failures:
            self.fail(failure)

    def fail(self, failure: ImportFailed) -> None:
        self.summary.failed += 1
        self.report(f"failed: {failure}")
        if self.strict:
            raise _Stop


def finish(touched: list[int]) -> None:
    """After the run: new stories numbered above the highest News ID; related stories and hub pings.

    What ``publishing.saved()`` does per story is done here once per run: related stories are
    chosen, and the WebSub hub hears of each changed feed once, not once per story.
    """
    reset_sequence()
    if not touched or len(touched) > RELATED_LIMIT:
        return
    feeds: set[str] = set()
    stories = Article.objects.filter(pk__in=touched).select_related("section").prefetch_related("tags", "authors")
    for article in stories:
        related = publishing.choose_related(article)
        if related != article.related_ids:
            Article.objects.filter(pk=article.pk).update(related_ids=related)
        if article.is_visible():
            feeds.update(websub.topics(article))
    if feeds and settings.WEBSUB_HUB:
        websub.notify(settings.WEBSUB_HUB, sorted(feeds))
