"""One import run: read every input, write items a batch at a time, count what happened."""

import zipfile
import zlib
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import transaction

from masthead.ingest import formats, sources
from masthead.ingest.items import ImportFailed, Item, Skipped
from masthead.ingest.progress import Progress
from masthead.ingest.store import Store, reset_sequence
from masthead.news import publishing
from masthead.news.models import Article

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
    failures: list[str] = field(default_factory=list)
    interrupted: bool = False

    @property
    def items(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped + self.failed

    def __str__(self) -> str:
        return (f"{self.created:,} created, {self.updated:,} updated, {self.unchanged:,} unchanged, "
                f"{self.skipped:,} skipped, {self.failed:,} failed")


class _Stop(Exception):
    pass


def run(paths: list[str], *, strict: bool = False, dry_run: bool = False, status: str | None = None,
        format: str | None = None, section: str = "news", stdin: BinaryIO | None = None,
        report: Callable[[str], None] = lambda message: None, progress: Progress | None = None) -> Summary:
    """Import every story found under ``paths``; ``report`` hears each failure, skip and warning as it happens."""
    summary = Summary()
    store = Store(status=status, section=section, dry_run=dry_run)
    found = list(sources.inputs(paths, stdin=stdin))
    if progress is not None:
        progress.total = sum(entry.size or 0 for entry in found if isinstance(entry, sources.Input)) or None
    done_bytes = 0
    batch: list[tuple[Item, str]] = []
    keys_in_batch: set = set()

    def fail(failure: ImportFailed) -> None:
        summary.failed += 1
        summary.failures.append(str(failure))
        report(f"failed: {failure}")
        if strict:
            raise _Stop

    def flush() -> None:
        outcomes, failures = store.write(batch, strict=strict)
        for outcome in outcomes:
            setattr(summary, outcome.result, getattr(summary, outcome.result) + 1)
        batch.clear()
        keys_in_batch.clear()
        for failure in failures:
            fail(failure)

    # A dry run writes everything in one transaction and rolls it back, so that what it reports
    # (including what the database would refuse) is what a real run would do.
    with transaction.atomic() if dry_run else nullcontext():
        try:
            for entry in found:
                if isinstance(entry, ImportFailed):
                    fail(entry)
                    continue
                read = formats.reader(entry, forced=format)
                if read is None:
                    summary.skipped += 1
                    report(f"skipped: {entry.name}: not a format masthead import reads (use --format)")
                    done_bytes += entry.size or 0
                    continue
                try:
                    for thing in read(entry):
                        if isinstance(thing, Skipped):
                            summary.skipped += 1
                            report(f"skipped: {thing.origin}: {thing.reason}")
                        elif isinstance(thing, ImportFailed):
                            fail(thing)
                        else:
                            for warning in thing.warnings:
                                report(f"warning: {warning}")
                            try:
                                digest = store.prepare(thing)
                            except ImportFailed as failure:
                                fail(failure)
                                continue
                            key = (thing.source, thing.source_key)
                            number = ("news id", thing.news_id)
                            if key in keys_in_batch or number in keys_in_batch:
                                flush()  # the same story twice: the later one updates what the earlier wrote
                            keys_in_batch.add(key)
                            if thing.news_id is not None:
                                keys_in_batch.add(number)
                            batch.append((thing, digest))
                            if len(batch) >= BATCH:
                                flush()
                        if progress is not None:
                            progress.update(items=summary.items + len(batch), done_bytes=done_bytes + entry.position)
                except ImportFailed as failure:  # raised while reading, e.g. a zip entry that lies about its size
                    fail(failure)
                except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as error:
                    fail(ImportFailed(entry.name, f"could not be read to the end: {error}"))
                done_bytes += entry.size or entry.position
            if batch:
                flush()
        except _Stop:
            try:
                if batch:
                    flush()  # what came before the failure goes in, as each item would alone
            except _Stop:
                pass
            report("stopped at the first failure (--strict)")
        except KeyboardInterrupt:
            summary.interrupted = True
            if dry_run:
                raise
        finally:
            if progress is not None:
                progress.update(items=summary.items, done_bytes=done_bytes)
                progress.finish()
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run:
        finish(store.touched)
    if summary.interrupted:
        raise KeyboardInterrupt(summary)
    return summary


def finish(touched: list[int]) -> None:
    """After the run: new stories get numbers above the highest News ID, and related stories."""
    reset_sequence()
    if not touched or len(touched) > RELATED_LIMIT:
        return
    for article in Article.objects.filter(pk__in=touched).only("pk", "section_id", "related_ids"):
        related = publishing.choose_related(article)
        if related != article.related_ids:
            Article.objects.filter(pk=article.pk).update(related_ids=related)
