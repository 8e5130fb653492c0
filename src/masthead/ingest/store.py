"""Turning items into articles: create, update or leave alone, a batch at a time.

A batch is written in one transaction (a savepoint inside an outer one) with bulk inserts, so a
big import runs at thousands of stories a second. When the database refuses a batch, it is
rolled back whole and written again one item at a time, each in its own savepoint, so the item
at fault is reported by name and the rest still go in. An article is written together with
its tags, authors, source record and revision in the same transaction: an interrupted run
leaves whole articles or none, never half of one.
"""

from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from masthead import sanitize
from masthead.delivery import keys as surrogate
from masthead.delivery.purge import purge_on_commit
from masthead.ingest.items import ImportFailed, Item
from masthead.ingest.models import ImportRevision, SourceRecord
from masthead.news.models import Article, Author, Section, Tag

LIMITS = {"headline": 250, "kicker": 80, "credit": 120, "slug": 120, "source": 200, "source_key": 500}
STATUSES = {choice.value for choice in Article.Status}
UPDATED_FIELDS = ["headline", "kicker", "summary", "body", "body_html", "source", "section", "status",
                  "published_at", "language", "slug", "updated_at"]


@dataclass
class Outcome:
    item: Item
    result: str  # "created", "updated", "unchanged"
    article_id: int


class Store:
    """Writes items as articles; ``dry_run`` allocates IDs without touching the database's sequence."""

    def __init__(self, *, status: str | None = None, section: str = "news", dry_run: bool = False):
        self.status = status
        self.default_section = section
        self.dry_run = dry_run
        self.languages = {code for code, _ in settings.LANGUAGES}
        self._sections: dict[str, int] = {}
        self._tags: dict[str, int] = {}
        self._authors: dict[str, int] = {}
        self._loaded = False
        self._explicit_ids_since_reset = False
        self.touched: list[int] = []

    # -- checks that need no database -------------------------------------------------------

    def prepare(self, item: Item) -> str:
        """Apply the run's options to ``item`` and check it; return its content hash."""
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
        return item.content_hash()

    # -- writing --------------------------------------------------------------------------

    def write(self, batch: list[tuple[Item, str]], *, strict: bool = False) -> tuple[list[Outcome], list[ImportFailed]]:
        """Write ``batch`` (items with their hashes); return what happened and what failed."""
        try:
            with transaction.atomic():
                return self._write(batch), []
        except DatabaseError:
            self._forget()
        outcomes, failures = [], []
        for entry in batch:
            try:
                with transaction.atomic():
                    outcomes += self._write([entry])
            except _ItemRefused as refused:
                self._forget()
                failures.append(refused.failure)
            except DatabaseError as error:
                self._forget()
                failures.append(ImportFailed(entry[0].origin, f"the database refused it: {_first_line(error)}"))
            if failures and strict:
                break
        return outcomes, failures

    def _forget(self) -> None:
        # What was created in a rolled-back transaction is gone: look it up again next time.
        self._sections.clear()
        self._tags.clear()
        self._authors.clear()
        self._loaded = False

    def _write(self, batch: list[tuple[Item, str]]) -> list[Outcome]:
        now = timezone.now()
        records = {
            (r.source, r.source_key): r
            for r in SourceRecord.objects.filter(source__in={i.source for i, _ in batch},
                                                 source_key__in={i.source_key for i, _ in batch})
        }
        # Articles are loaded only where something may change: not for items that are unchanged.
        wanted_ids = {i.news_id for i, _ in batch if i.news_id is not None}
        wanted_ids |= {r.article_id for (i, digest) in batch
                       if (r := records.get((i.source, i.source_key))) is not None and r.content_hash != digest}
        existing = {a.pk: a for a in Article.objects.filter(pk__in=wanted_ids)} if wanted_ids else {}
        outcomes: list[Outcome] = []
        creates: list[tuple[Item, str, Article]] = []
        updates: list[tuple[Item, str, Article, SourceRecord | None]] = []
        for item, digest in batch:
            record = records.get((item.source, item.source_key))
            if record is not None:
                if item.news_id is not None and item.news_id != record.article_id:
                    raise _ItemRefused(ImportFailed(
                        item.origin, f"was imported before as News ID {record.article_id}, now says News ID {item.news_id}"))
                if record.content_hash == digest:
                    outcomes.append(Outcome(item, "unchanged", record.article_id))
                    continue
                # A record goes with its article (cascade), so the article is there.
                updates.append((item, digest, existing[record.article_id], record))
                continue
            article = existing.get(item.news_id) if item.news_id is not None else None
            if article is not None:
                updates.append((item, digest, article, None))
            else:
                creates.append((item, digest, self._new_article(item, now)))

        self._create(creates, now)
        before_keys = self._update(updates, now)
        touched = [(item, article) for item, _, article in creates] + [(item, article) for item, _, article, _ in updates]
        self._relations(touched, replace=[article.pk for _, _, article, _ in updates])
        _insert(SourceRecord, ["source", "source_key", "article_id", "content_hash", "imported_at"], [
            (item.source, item.source_key, article.pk, digest, now) for item, digest, article in creates
        ] + [
            (item.source, item.source_key, article.pk, digest, now) for item, digest, article, record in updates
            if record is None
        ])
        changed = []
        for _, digest, _, record in updates:
            if record is not None:
                record.content_hash, record.imported_at = digest, now
                changed.append(record)
        if changed:
            SourceRecord.objects.bulk_update(changed, ["content_hash", "imported_at"])
        outcomes += [Outcome(item, "created", article.pk) for item, _, article in creates]
        outcomes += [Outcome(item, "updated", article.pk) for item, _, article, _ in updates]
        self._purge(touched, before_keys)
        if not self.dry_run:
            transaction.on_commit(lambda ids=[a.pk for _, a in touched]: self.touched.extend(ids))
        return outcomes

    def _new_article(self, item: Item, now: datetime) -> Article:
        article = Article(id=item.news_id, created_at=now)
        self._fill(article, item, now)
        return article

    def _fill(self, article: Article, item: Item, now: datetime) -> None:
        article.headline = item.headline
        article.kicker = item.kicker
        article.summary = item.summary
        article.body = item.body
        article.body_html = item.body if item.body_is_html else sanitize.render_markdown(item.body)
        article.source = item.credit
        article.section_id = self._section(item.section)
        article.status = item.status
        article.published_at = item.published_at
        article.language = item.language
        # A story keeps its address: the slug changes only when the source names a new one.
        if item.slug or not article.slug:
            article.slug = item.slug or slugify(item.headline, allow_unicode=True)[:120].strip("-") or "story"
        article.updated_at = now

    def _create(self, creates: list[tuple[Item, str, Article]], now: datetime) -> None:
        if not creates:
            return
        explicit = [article for _, _, article in creates if article.pk is not None]
        automatic = [article for _, _, article in creates if article.pk is None]
        if explicit:
            self._explicit_ids_since_reset = True
        if automatic:
            for article, pk in zip(automatic, self._new_ids(len(automatic))):
                article.pk = pk
        _insert_articles([article for _, _, article in creates])

    def _new_ids(self, count: int) -> list[int]:
        """``count`` News IDs above every one in use, as the database would number new rows."""
        if connection.vendor == "postgresql" and not self.dry_run:
            if self._explicit_ids_since_reset:
                reset_sequence()
                self._explicit_ids_since_reset = False
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [Article._meta.db_table, count])
                return [row[0] for row in cursor.fetchall()]
        # SQLite holds the write lock for the whole batch transaction, so max + 1 cannot be taken
        # by another writer meanwhile; a dry run numbers the same way without touching a sequence.
        highest = Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        return list(range(highest + 1, highest + 1 + count))

    def _update(self, updates, now: datetime) -> set[str]:
        if not updates:
            return set()
        ids = [article.pk for _, _, article, _ in updates]
        tags = _names_by_article(Article.tags.through, "tag", ids)
        authors = _names_by_article(Article.authors.through, "author", ids)
        keys: set[str] = set()
        revisions = []
        for _, _, article, _ in updates:
            keys |= {article.surrogate_key, surrogate.section(article.section_id)}
            keys |= {surrogate.tag(pk) for pk, _ in tags.get(article.pk, [])}
            keys |= {surrogate.author(pk) for pk, _ in authors.get(article.pk, [])}
            if article.published_at:
                keys.add(surrogate.archive_day(article.published_at))
            revisions.append(ImportRevision(article_id=article.pk, taken_at=now, fields={
                "headline": article.headline, "kicker": article.kicker, "summary": article.summary,
                "body": article.body, "source": article.source, "section_id": article.section_id,
                "status": article.status, "language": article.language, "slug": article.slug,
                "published_at": article.published_at.isoformat() if article.published_at else None,
                "tags": [name for _, name in tags.get(article.pk, [])],
                "authors": [name for _, name in authors.get(article.pk, [])],
            }))
        ImportRevision.objects.bulk_create(revisions)
        for item, _, article, _ in updates:
            self._fill(article, item, now)
        Article.objects.bulk_update([article for _, _, article, _ in updates], UPDATED_FIELDS)
        return keys

    def _relations(self, touched: list[tuple[Item, Article]], *, replace: list[int]) -> None:
        tag_through, author_through = Article.tags.through, Article.authors.through
        if replace:
            tag_through.objects.filter(article_id__in=replace).delete()
            author_through.objects.filter(article_id__in=replace).delete()
        tag_rows, author_rows = [], []
        for item, article in touched:
            tag_rows += [(article.pk, tag_id) for tag_id in dict.fromkeys(self._tag(name) for name in item.tags)]
            author_rows += [(article.pk, pk) for pk in dict.fromkeys(self._author(name) for name in item.authors)]
        _insert(tag_through, ["article_id", "tag_id"], tag_rows)
        _insert(author_through, ["article_id", "author_id"], author_rows)

    def _purge(self, touched: list[tuple[Item, Article]], keys: set[str]) -> None:
        if not touched:
            return
        # A new story has no cached page of its own yet: only the lists that will show it are stale.
        keys = keys | {surrogate.HOME, surrogate.FEEDS}
        for item, article in touched:
            keys.add(surrogate.section(article.section_id))
            keys |= {surrogate.tag(self._tag(name)) for name in item.tags}
            keys |= {surrogate.author(self._author(name)) for name in item.authors}
            if article.published_at:
                keys.add(surrogate.archive_day(article.published_at))
        purge_on_commit(keys)

    # -- what articles are filed under, found or created by name ---------------------------

    def _load(self) -> None:
        # One query each for what exists, instead of one per new name met.
        if self._loaded:
            return
        self._loaded = True
        for name, slug, pk in Section.objects.values_list("name", "slug", "pk"):
            self._sections.setdefault(name, pk)
            self._sections.setdefault(slug, pk)
        self._tags.update(Tag.objects.values_list("name", "pk"))
        for name, slug, pk in Author.objects.values_list("name", "slug", "pk"):
            self._authors.setdefault(slug, pk)

    def _section(self, name: str) -> int:
        self._load()
        name = name.strip() or self.default_section
        if name not in self._sections:
            slug = slugify(name)[:80] or "news"
            found = Section.objects.filter(slug=slug).first() or Section.objects.filter(name=name).first()
            if found is None:
                found = Section.objects.create(name=name[:80] if name != slug else name.title()[:80], slug=slug)
            self._sections[name] = found.pk
        return self._sections[name]

    def _tag(self, name: str) -> int:
        self._load()
        if name not in self._tags:
            name_80 = name.strip()[:80]
            slug = slugify(name_80, allow_unicode=True)[:80]
            found = Tag.objects.filter(name=name_80).first() or (slug and Tag.objects.filter(slug=slug).first())
            if not found:
                found = Tag(name=name_80, slug=slug)
                found.save()
            self._tags[name] = found.pk
        return self._tags[name]

    def _author(self, name: str) -> int:
        self._load()
        if name not in self._authors:
            name_120 = name.strip()[:120]
            slug = slugify(name_120)[:120] or f"author-{len(self._authors) + 1}"
            if slug not in self._authors:
                found = Author.objects.filter(slug=slug).first() or Author.objects.create(name=name_120, slug=slug)
                self._authors[slug] = found.pk
            self._authors[name] = self._authors[slug]
        return self._authors[name]


class _ItemRefused(DatabaseError):
    """An item refused while its batch was written: the batch is redone one item at a time."""

    def __init__(self, failure: ImportFailed):
        super().__init__(failure.reason)
        self.failure = failure


def _insert_articles(articles: list[Article]) -> None:
    # Every concrete column, prepared by its own field, so a column added to Article later is
    # written with its default; Django's bulk_create builds the same rows several times slower.
    fields = Article._meta.concrete_fields
    quote = connection.ops.quote_name
    prepare = [_preparer(field) for field in fields]
    rows = [tuple(value if convert is None else convert(value)
                  for convert, value in zip(prepare, (getattr(article, f.attname) for f in fields)))
            for article in articles]
    sql = (f"INSERT INTO {quote(Article._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey, models.BooleanField)


def _preparer(field):
    # Text, numbers and keys go to the driver as they are; anything else through its field.
    if isinstance(field, models.DateTimeField):
        return _datetime
    if isinstance(field, PLAIN_FIELDS):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _datetime(value):
    # Django's adapter checks settings on every call; the times here are aware UTC already.
    if value is None or connection.vendor != "sqlite":
        return value
    return str(value.astimezone(dt_timezone.utc).replace(tzinfo=None))


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    # Link rows and source records are plain tuples of ids and text: insert them with one
    # executemany, skipping the per-row model instances that bulk_create would build.
    if not rows:
        return
    quote = connection.ops.quote_name
    prepared = [tuple(_datetime(value) if isinstance(value, datetime) else value for value in row) for row in rows]
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)


def _names_by_article(through, field: str, ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    found: dict[int, list[tuple[int, str]]] = {}
    rows = through.objects.filter(article_id__in=ids).values_list("article_id", f"{field}_id", f"{field}__name")
    for article_id, pk, name in rows:
        found.setdefault(article_id, []).append((pk, name))
    return found


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def reset_sequence() -> None:
    """Make the database number new articles above the highest News ID (PostgreSQL; SQLite does it itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Article])
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
