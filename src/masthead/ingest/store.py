"""Turning items into articles: create, update or leave alone, a batch at a time.

An import is the bulk form of saving stories, so the story rows, and all that derives from them
(search, headline words, revisions), are written by ``masthead.stories.bulk``; this module
decides which items are new, changed or unchanged, and remembers which source item became which
article. A batch is written in one transaction (a savepoint inside an outer one). When anything
goes wrong in a batch, it is rolled back whole and written again one item at a time, each in its
own savepoint, so the item at fault is reported by name and the rest still go in: an
interrupted run leaves whole articles or none, never half of one.
"""

from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from masthead.ingest.items import ImportFailed, Item
from masthead.ingest.models import ImportRevision, SourceRecord
from masthead.ingest.translations import Pending
from masthead.news.models import Article
from masthead.stories import bulk

LIMITS = {"headline": 250, "kicker": 80, "credit": 120, "slug": 120, "source": 200, "source_key": 500}
STATUSES = {choice.value for choice in Article.Status}
# A batch with more items refused than this is written one item at a time instead.
REFUSALS_PER_BATCH = 10


class Prepared(NamedTuple):
    """An item checked and ready to write: its content hash and the story it stores, with what that derives."""

    item: Item
    digest: str
    story: bulk.Story | None  # None: stored as it is, when prepared (made when written, if that has changed)


@dataclass
class Outcome:
    item: Item
    result: str  # "created", "updated", "unchanged"
    article_id: int


class Store:
    """Writes items as articles through the story service's bulk path, acting as ``by``.

    ``dry_run`` allocates IDs without touching the database's sequence.
    """

    def __init__(self, *, status: str | None = None, section: str = "news", dry_run: bool = False, by=None):
        self.status = status
        self.dry_run = dry_run
        self.by = by
        self.languages = {code for code, _ in settings.LANGUAGES}
        self.writer = bulk.Writer(section=section, dry_run=dry_run)
        self.touched: list[int] = []
        self.translations: list[Pending] = []  # links to make once the run is in (ingest.translations)

    # -- checks that need no database -------------------------------------------------------

    def stored_hashes(self, items: list[Item]) -> dict[tuple[str, str], str]:
        """The content hashes stored for ``items`` by earlier runs, by (source, source key); empty if unknown."""
        if not items:
            return {}
        try:
            return {(source, key): digest for source, key, digest in SourceRecord.objects.filter(
                source__in={i.source for i in items}, source_key__in={i.source_key for i in items}
            ).values_list("source", "source_key", "content_hash")}
        except DatabaseError:  # only a saving: the writer looks again, and derives what it is not given
            return {}

    def prepare(self, item: Item, *, stored: dict[tuple[str, str], str] | None = None) -> Prepared:
        """Apply the run's options to ``item``, check it, and work out all that needs no database.

        Runs in an import's reading process when there is one (``ingest.prefetch``), so the
        hashing, the text checks, the search text and headline words cost the writer nothing.
        An item whose hash is the one ``stored`` for it is unchanged: its story is left unmade.
        """
        if self.status:
            item.status = self.status
        if item.status not in STATUSES:
            raise ImportFailed(item.origin, f"status {item.status!r} is none of {', '.join(sorted(STATUSES))}")
        if item.status == "published" and item.published_at is None:
            raise ImportFailed(item.origin, "is published but has no publication time")
        language = item.language.lower().split("-")[0].split("_")[0]
        if language not in self.languages:
            raise ImportFailed(item.origin, f"language {item.language!r} is not one of the site's "
                                            f"({', '.join(sorted(self.languages))})")
        item.language = language
        for name, limit in LIMITS.items():
            value = getattr(item, name)
            if len(value) > limit:
                raise ImportFailed(item.origin, f"{name} is {len(value)} characters, more than {limit}: {value[:60]!r}…")
        if not item.headline.strip():
            raise ImportFailed(item.origin, "has an empty headline")
        if item.news_id is not None and not 0 < item.news_id < 2**63:
            raise ImportFailed(item.origin, f"News ID {item.news_id} is out of range")
        digest = item.content_hash()
        if stored and stored.get((item.source, item.source_key)) == digest:
            return Prepared(item, digest, None)
        story = _story(item)
        story.derived = bulk.derive(story)
        return Prepared(item, digest, story)

    # -- writing --------------------------------------------------------------------------

    def write(self, batch: list[Prepared], *, strict: bool = False) -> tuple[list[Outcome], list[ImportFailed]]:
        """Write ``batch`` (items as ``prepare`` returned them); return what happened and what failed."""
        outcomes, failures = self._write_batch(batch, strict=strict)
        self.translations += [Pending(origin=o.item.origin, source=o.item.source, reference=o.item.translation_of,
                                      article_id=o.article_id) for o in outcomes if o.item.translation_of]
        return outcomes, failures

    def _write_batch(self, batch: list[Prepared], *, strict: bool) -> tuple[list[Outcome], list[ImportFailed]]:
        failures: list[ImportFailed] = []
        for _attempt in range(REFUSALS_PER_BATCH):
            try:
                with transaction.atomic():
                    return self._write(batch), failures
            except _ItemRefused as refused:
                # The item at fault is known before anything is written: it fails, the rest go
                # in as a batch. --strict writes those before it one at a time, below.
                self.writer.forget()
                if strict:
                    break
                failures.append(refused.failure)
                batch = [entry for entry in batch if entry.item is not refused.item]
            except Exception:  # whatever it was, one item at a time finds the item at fault
                self.writer.forget()
                break
        outcomes = []
        for entry in batch:
            try:
                with transaction.atomic():
                    outcomes += self._write([entry])
            except Exception as error:
                self.writer.forget()
                failures.append(_failure(entry.item, error))
            if failures and strict:
                break
        return outcomes, failures

    def _write(self, batch: list[Prepared]) -> list[Outcome]:
        now = timezone.now()
        records = {
            (r.source, r.source_key): r
            for r in SourceRecord.objects.filter(source__in={i.source for i, _, _ in batch},
                                                 source_key__in={i.source_key for i, _, _ in batch})
        }
        # Articles are loaded only where something may change: not for items that are unchanged.
        wanted_ids = {i.news_id for i, _, _ in batch if i.news_id is not None}
        wanted_ids |= {r.article_id for (i, digest, _) in batch
                       if (r := records.get((i.source, i.source_key))) is not None and r.content_hash != digest}
        existing = {a.pk: a for a in Article.objects.filter(pk__in=wanted_ids)} if wanted_ids else {}
        outcomes: list[Outcome] = []
        creates: list[Prepared] = []
        updates: list[tuple[Prepared, Article, SourceRecord | None]] = []
        for entry in batch:
            item, digest, _ = entry
            record = records.get((item.source, item.source_key))
            if record is not None:
                if item.news_id is not None and item.news_id != record.article_id:
                    raise _ItemRefused(ImportFailed(
                        item.origin, f"was imported before as News ID {record.article_id}, now says News ID {item.news_id}"), item)
                if record.content_hash == digest:
                    outcomes.append(Outcome(item, "unchanged", record.article_id))
                    continue
                # A record goes with its article (cascade), so the article is there.
                updates.append((entry, existing[record.article_id], record))
                continue
            article = existing.get(item.news_id) if item.news_id is not None else None
            if article is not None:
                updates.append((entry, article, None))
            else:
                creates.append(entry)

        try:
            written = self.writer.write(new=[entry.story or _story(entry.item) for entry in creates],
                                        changed=[(article, entry.story or _story(entry.item))
                                                 for entry, article, _ in updates],
                                        by=self.by, at=now)
        except bulk.Refused as refused:
            item = [*(entry.item for entry in creates), *(entry.item for entry, _, _ in updates)][refused.position]
            raise _ItemRefused(ImportFailed(item.origin, refused.reason), item) from None
        created = written.articles[:len(creates)]
        ImportRevision.objects.bulk_create(
            ImportRevision(article_id=pk, taken_at=now, fields=_import_revision(before))
            for pk, before in written.before.items())
        bulk.insert_rows(SourceRecord, ["source", "source_key", "article_id", "content_hash", "imported_at"], [
            (item.source, item.source_key, article.id, digest, now) for (item, digest, _), article in zip(creates, created)
        ] + [
            (entry.item.source, entry.item.source_key, article.id, entry.digest, now) for entry, article, record in updates
            if record is None
        ])
        changed = []
        for entry, _, record in updates:
            if record is not None:
                record.content_hash, record.imported_at = entry.digest, now
                changed.append(record)
        if changed:
            SourceRecord.objects.bulk_update(changed, ["content_hash", "imported_at"])
        outcomes += [Outcome(entry.item, "created", article.id) for entry, article in zip(creates, created)]
        outcomes += [Outcome(entry.item, "updated", article.id) for entry, article, _ in updates]
        if not self.dry_run:
            transaction.on_commit(lambda ids=[a.id for a in written.articles]: self.touched.extend(ids))
        return outcomes


def _story(item: Item) -> bulk.Story:
    return bulk.Story(
        headline=item.headline, section=item.section, kicker=item.kicker, summary=item.summary, body=item.body,
        body_html=item.body if item.body_is_html else None, source=item.credit, status=item.status,
        published_at=item.published_at, language=item.language, slug=item.slug, tags=item.tags,
        authors=item.authors, id=item.news_id, note=f"Imported from {item.origin}",
    )


def _import_revision(before: dict) -> dict:
    # The form ImportRevision has kept since before the newsroom's revisions covered imports.
    return {
        "headline": before["headline"], "kicker": before["kicker"], "summary": before["summary"],
        "body": before["body"], "source": before["source"], "section_id": before["section"][0],
        "status": before["status"], "language": before["language"], "slug": before["slug"],
        "published_at": before["published_at"],
        "tags": [name for _, name in before["tags"]], "authors": [name for _, name in before["authors"]],
    }


def _failure(item: Item, error: Exception) -> ImportFailed:
    """What went wrong with ``item`` alone, said as its failure."""
    if isinstance(error, _ItemRefused):
        return error.failure
    if isinstance(error, DatabaseError):
        return ImportFailed(item.origin, f"the database refused it: {_first_line(error)}")
    return ImportFailed(item.origin, f"could not be stored: {type(error).__name__}: {_first_line(error)}")


class _ItemRefused(Exception):
    """An item refused, before anything was written, while its batch was written."""

    def __init__(self, failure: ImportFailed, item: Item):
        super().__init__(failure.reason)
        self.failure = failure
        self.item = item


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]

