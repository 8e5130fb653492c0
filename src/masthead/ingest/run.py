"""One import run: read every input, write items a batch at a time, count what happened."""

import zipfile
import zlib
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import BinaryIO

from django.db import connection, transaction

from masthead.ingest import formats, prefetch, sources, translations
from masthead.ingest.items import ImportFailed, Item, Skipped
from masthead.ingest.progress import Progress
from masthead.ingest.store import Prepared, Store
from masthead.stories import bulk

BATCH = 1000


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
        format: str | None = None, section: str = "news", stdin: BinaryIO | None = None, by=None,
        report: Callable[[str], None] = lambda message: None, progress: Progress | None = None) -> Summary:
    """Import every story found under ``paths``; ``report`` hears each failure, skip and warning as it happens.

    Revisions and audit entries name ``by``, or the named system account when None.
    Raises KeyboardInterrupt (with the summary so far) when interrupted; what was committed stays.
    """
    importer = _Run(Store(status=status, section=section, dry_run=dry_run, by=by), strict=strict, report=report,
                    progress=progress)
    found = list(sources.inputs(paths, stdin=stdin))
    if progress is not None:
        progress.total = sum(entry.size or 0 for entry in found if isinstance(entry, sources.Input)) or None
    # A dry run writes everything in one transaction and rolls it back, so that what it reports
    # (including what the database would refuse) is what a real run would do.
    with transaction.atomic() if dry_run else nullcontext():
        if by is None:
            importer.store.by = bulk.system_actor()
        importer.all(found, format=format)
        if not importer.summary.interrupted:
            for problem in translations.link(importer.store.translations, by=importer.store.by):
                importer.report(f"warning: {problem}")
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run:
        if importer.summary.interrupted:
            # Ctrl-C may have landed while a statement was on its way: PostgreSQL's connection is
            # then still busy with it (its transaction ends with the connection). What was committed
            # is settled on a new one.
            connection.close()
        bulk.settle(importer.store.touched)
    if importer.summary.interrupted:
        raise KeyboardInterrupt(importer.summary)
    return importer.summary


class _Stop(Exception):
    """--strict: the first failure ends the run."""


@dataclass
class _Unready:
    """An item read but refused by the checks that need no database."""

    item: Item
    failure: ImportFailed


class _Run:
    def __init__(self, store: Store, *, strict: bool, report: Callable[[str], None], progress: Progress | None):
        self.store = store
        self.strict = strict
        self.report = report
        self.progress = progress
        self.summary = Summary()
        self.batch: list[Prepared] = []
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
                for thing in prefetch.items(read, entry, then=self.check):
                    self.take(thing)
                    if self.progress is not None:
                        self.progress.update(items=self.summary.items + len(self.batch),
                                             done_bytes=self.done_bytes + entry.position)
            except ImportFailed as failure:  # raised while reading, e.g. a zip entry larger than it said
                self.fail(failure)
            except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as error:
                self.fail(ImportFailed(entry.name, f"could not be read to the end: {error}"))
            except _Stop:
                raise
            except Exception as error:  # a reader's own fault: this input ends here, the run goes on
                self.fail(ImportFailed(entry.name, f"could not be read to the end: {type(error).__name__}: {error}"))
        self.done_bytes += entry.size or entry.position

    def check(self, things: list[Item | ImportFailed | Skipped]) -> list[Prepared | _Unready | ImportFailed | Skipped]:
        """Prepare items for writing (in the reading process, when there is one); never raises."""
        stored = self.store.stored_hashes([thing for thing in things if isinstance(thing, Item)])
        return [self._check(thing, stored) for thing in things]

    def _check(self, thing, stored: dict) -> Prepared | _Unready | ImportFailed | Skipped:
        if not isinstance(thing, Item):
            return thing
        try:
            return self.store.prepare(thing, stored=stored)
        except ImportFailed as failure:
            return _Unready(thing, failure)
        except Exception as error:  # any fault in checking one item is that item's failure
            return _Unready(thing, ImportFailed(thing.origin, f"could not be checked: {type(error).__name__}: {error}"))

    def take(self, thing: Prepared | _Unready | ImportFailed | Skipped) -> None:
        if isinstance(thing, Skipped):
            self.summary.skipped += 1
            self.report(f"skipped: {thing.origin}: {thing.reason}")
            return
        if isinstance(thing, ImportFailed):
            self.fail(thing)
            return
        for warning in thing.item.warnings:
            self.report(f"warning: {warning}")
        if isinstance(thing, _Unready):
            self.fail(thing.failure)
            return
        item = thing.item
        key, number = (item.source, item.source_key), ("news id", item.news_id)
        if key in self.keys_in_batch or number in self.keys_in_batch:
            self.flush()  # the same story twice: the later one updates what the earlier wrote
        self.keys_in_batch.add(key)
        if item.news_id is not None:
            self.keys_in_batch.add(number)
        self.batch.append(thing)
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

