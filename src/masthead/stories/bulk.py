"""The bulk form of the story service: thousands of stories created or changed at once, as one save each.

An import writes its stories through here, a batch at a time, in the caller's transaction. With
the article rows go everything a save of one story keeps in step, so that a story is whole the
moment its batch commits: its tags and authors, the site's search index, the newsroom's headline
words, a revision and an audit entry naming who acted. Text that is not text is refused before
anything is written. Purges follow the commit; related stories and the WebSub hub are brought up
to date once a run, by ``settle()``, since choosing related stories costs two queries a story.

Rows go in with ``executemany`` of plain tuples rather than ``bulk_create``, which builds the
same rows several times slower: an import of 300,000 stories must keep above 2,000 a second.
"""

import functools
import json
from contextlib import contextmanager
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from datetime import datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from masthead import search, shadowtables
from masthead.delivery import keys as surrogate
from masthead.delivery.purge import purge_on_commit
from masthead.news import tagging
from masthead.news.models import Article, Author, HeadlineWord, Section, Tag
from masthead.newsroom.models import Revision, StateChange
from masthead.search.text import Document, fold
from masthead.stories import taxonomy
from masthead.stories.derived import Derived, derive, refusal  # noqa: F401 (refusal: part of this module's word)

# The account an import acts as when no one is named: inactive, it can never sign in.
SYSTEM_ACTOR = "masthead-import"
# What a revision keeps, in the newsroom's order (``stories.history.FIELDS``; a test holds them equal).
REVISED = ("kicker", "headline", "slug", "summary", "body", "source", "section", "authors", "tags", "language",
           "lead_image", "status", "published_at", "embargo_until", "breaking_until")
WRITTEN = ["headline", "kicker", "summary", "body", "body_html", "source", "section", "status", "published_at",
           "language", "slug", "updated_at", "version"]
# Choosing related stories costs two queries a story; past this many stories a run leaves it to
# the next save of each story rather than doubling the run's time.
RELATED_LIMIT = 2000


@dataclass
class Story:
    """A story's words and filing as the bulk path takes them; section, tags and authors by name."""

    headline: str
    section: str = ""  # a section's name or slug; empty: the writer's default section
    kicker: str = ""
    summary: str = ""
    body: str = ""
    body_html: str | None = None  # None: rendered from ``body`` as Markdown, as Article.save() does
    source: str = ""
    status: str = Article.Status.PUBLISHED
    published_at: datetime | None = None
    language: str = "en"
    slug: str = ""  # empty: kept, or made from the headline for a new story
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    id: int | None = None  # the News ID to keep; None: numbered above the highest
    note: str = ""  # why it changed, for its revision and audit entry ("import wire.jsonl:7")
    # What these very fields decide (``derived.derive(story)``), made where CPU is to spare; None:
    # the writer makes it. Made before the story is handed over, never changed after.
    derived: Derived | None = field(default=None, compare=False, repr=False)


class Refused(ValueError):
    """A story the bulk path will not store; ``position`` is its place in the batch written."""

    def __init__(self, position: int, reason: str):
        super().__init__(reason)
        self.position = position
        self.reason = reason


def system_actor():
    """The named account an import acts as when no one is given (made, inactive, on first use)."""
    user, created = get_user_model().objects.get_or_create(username=SYSTEM_ACTOR, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@dataclass
class Written:
    """What one ``Writer.write`` stored: the articles, new ones first, and the changed ones as they were."""

    articles: list[Article]
    before: dict[int, dict]  # News ID of a changed story: its revision snapshot before the change


class Writer:
    """Writes batches of stories; remembers sections, tags and authors by name from one batch to the next.

    ``dry_run`` numbers new stories without touching PostgreSQL's sequence (the caller rolls back).
    """

    def __init__(self, *, section: str = "news", dry_run: bool = False):
        self.default_section = section
        self.dry_run = dry_run
        self._sections: dict[str, int] = {}
        self._tags: dict[str, int] = {}
        self._authors: dict[str, int] = {}
        self._names: dict[tuple[str, int], str] = {}  # ("tag", pk): the stored name
        self._loaded = False
        # Checked before the first new News ID too: rows written by other means (SQL, a restore)
        # can leave the sequence behind the highest ID, and every new story would collide.
        self._explicit_ids_since_reset = True

    def forget(self) -> None:
        """After a rollback: what the rolled-back transaction created is gone, so look it up again."""
        self._sections.clear()
        self._tags.clear()
        self._authors.clear()
        self._names.clear()
        self._loaded = False

    def write(self, *, new: list[Story], changed: list[tuple[Article, Story]], by, at: datetime | None = None) -> Written:
        """Create ``new`` stories and apply each story of ``changed`` to its stored article, with all they derive.

        Call inside a transaction: a Refused story or a database error leaves it to the caller
        to roll back the batch whole. ``by`` is the acting account (None: nobody).
        """
        now = at or timezone.now()
        derived = [story.derived or derive(story) for story in [*new, *(story for _, story in changed)]]
        for position, made in enumerate(derived):
            if made.refusal:
                raise Refused(position, made.refusal)
        blank = dict(Article(created_at=now).__dict__)
        del blank["_state"]
        mutable = [name for name, value in blank.items() if isinstance(value, (list, dict, set))]
        created = [self._new_article(story, made, now, blank, mutable) for story, made in zip(new, derived)]
        self._number(created)
        ids = [article.id for article, _ in changed]
        old_tags = self._linked(Article.tags.through, "tag", ids)
        old_authors = self._linked(Article.authors.through, "author", ids)
        before = {article.id: self._snapshot(article, old_tags.get(article.id, []), old_authors.get(article.id, []))
                  for article, _ in changed}
        before_states = {article.id: article.state for article, _ in changed}
        keys = set()
        for (article, story), made in zip(changed, derived[len(new):]):
            keys |= _page_keys(article, old_tags.get(article.id, []), old_authors.get(article.id, []))
            keys.add(article.surrogate_key)
            self._fill(article, story, made, now)
            article.version += 1
        insert_models(Article, created)
        if changed:
            Article.objects.bulk_update([article for article, _ in changed], WRITTEN)
            Article.tags.through.objects.filter(article_id__in=ids).delete()
            Article.authors.through.objects.filter(article_id__in=ids).delete()
            HeadlineWord.objects.filter(article_id__in=ids).delete()
        pairs = [*zip(created, new), *changed]
        self._load()
        known_tags, known_authors = self._tags, self._authors  # the names met before: most of a run's
        tags = {article.id: list(dict.fromkeys(known_tags.get(name) or self.tag(name) for name in story.tags))
                for article, story in pairs}
        authors = {article.id: list(dict.fromkeys(known_authors.get(name) or self.author(name) for name in story.authors))
                   for article, story in pairs}
        insert_rows(Article.tags.through, ["article_id", "tag_id"], [(pk, t) for pk, found in tags.items() for t in found])
        insert_rows(Article.authors.through, ["article_id", "author_id"],
                    [(pk, a) for pk, found in authors.items() for a in found])
        articles = [article for article, _ in pairs]
        insert_rows(HeadlineWord, ["article_id", "word"],
                    [(article.id, word) for article, made in zip(articles, derived) for word in made.headline_words])
        self._index(articles, derived, tags, authors)
        self._record(articles, derived, tags=tags, authors=authors, before=before, before_states=before_states,
                     notes={article.id: story.note for article, story in pairs}, by=by, now=now)
        keys |= _lists_of(articles, tags, authors)
        if articles:
            purge_on_commit(keys)
        return Written(articles=articles, before=before)

    # -- the rows of a story ---------------------------------------------------------------

    def _new_article(self, story: Story, made: Derived, now: datetime, blank: dict, mutable: list[str]) -> Article:
        # A copy of one new article's attributes with every default in place (``blank``), its
        # mutable defaults copied: Model.__init__ works out ~30 defaults per call, a tenth of an
        # import's time.
        article = Article.__new__(Article)
        values = article.__dict__
        values.update(blank)
        for name in mutable:
            values[name] = values[name].copy()
        article._state = ModelState()
        article.id = story.id
        self._fill(article, story, made, now)
        return article

    def _fill(self, article: Article, story: Story, made: Derived, now: datetime) -> None:
        article.headline = story.headline
        article.kicker = story.kicker
        article.summary = story.summary
        article.body = story.body
        article.body_html = made.body_html
        article.source = story.source
        article.section_id = self.section(story.section)
        article.status = story.status
        article.published_at = story.published_at
        article.language = story.language
        # A story keeps its address: the slug changes only when the source names a new one.
        if story.slug or not article.slug:
            article.slug = made.slug
        article.updated_at = now

    def _number(self, created: list[Article]) -> None:
        # New stories go above every News ID in use, those kept by this very batch included.
        kept = max((article.id for article in created if article.id is not None), default=0)
        if kept:
            self._explicit_ids_since_reset = True
        automatic = [article for article in created if article.id is None]
        for article, pk in zip(automatic, self._new_ids(len(automatic), above=kept) if automatic else []):
            article.id = pk

    def _new_ids(self, count: int, *, above: int) -> list[int]:
        """``count`` News IDs above ``above`` and every one in use, as the database would number new rows."""
        if connection.vendor == "postgresql" and not self.dry_run:
            if self._explicit_ids_since_reset:
                reset_sequence(above=above)
                self._explicit_ids_since_reset = False
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [Article._meta.db_table, count])
                return [row[0] for row in cursor.fetchall()]
        # SQLite holds the write lock for the whole batch transaction, so max + 1 cannot be taken
        # by another writer meanwhile; a dry run numbers the same way without touching a sequence.
        highest = max(above, Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
        return list(range(highest + 1, highest + 1 + count))

    def _linked(self, through, name: str, ids: list[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        if not ids:
            return found
        for article_id, pk, stored in through.objects.filter(article_id__in=ids).order_by("pk").values_list(
                "article_id", f"{name}_id", f"{name}__name"):
            found.setdefault(article_id, []).append(pk)
            self._names[(name, pk)] = stored
        return found

    # -- what derives from a story ---------------------------------------------------------

    def _index(self, articles: list[Article], derived: list[Derived], tags: dict[int, list[int]],
               authors: dict[int, list[int]]) -> None:
        # The same Documents as search.backends.base.documents() reads back from the stored rows
        # (search.text.document()), their words folded beforehand; labels name what is stored.
        published = [(article, made) for article, made in zip(articles, derived)
                     if article.status == Article.Status.PUBLISHED]
        engine = search.backend()
        engine.upsert([
            Document(article_id=article.id, published_at=article.published_at, section_id=article.section_id,
                     headline=made.search_headline, standfirst=made.search_standfirst, body=made.search_body,
                     labels=fold(" · ".join([*sorted(self._names[("tag", pk)] for pk in tags[article.id]),
                                             *(self._names[("author", pk)] for pk in authors[article.id])])),
                     language=article.language)
            for article, made in published
        ])
        gone = sorted({article.id for article in articles} - {article.id for article, _ in published})
        if gone:
            engine.remove(gone)

    def _record(self, articles: list[Article], derived: list[Derived], *, tags, authors, before, before_states, notes,
                by, now) -> None:
        numbers = dict(Revision.objects.filter(article_id__in=list(before)).values("article_id")
                       .annotate(last=Max("number")).values_list("article_id", "last")) if before else {}
        by_id = getattr(by, "pk", None)
        revisions, changes = [], []
        # On SQLite a new story's revision goes in as JSON text: its words as encoded beforehand
        # (``derived``), then its filing. Encoding a story's whole text again cost a tenth of the
        # writer's time. A changed story's snapshot is compared with the one before, so it stays a dict.
        encoded = connection.vendor == "sqlite"
        everything = Encoded(json.dumps(list(REVISED))) if encoded else list(REVISED)
        for article, made in zip(articles, derived):
            old = before.get(article.id)
            note = notes[article.id][:300]
            if old is None and encoded:
                filing = json.dumps(self._filing(article, tags[article.id], authors[article.id]))
                data, changed = Encoded("{" + made.revision_words + ", " + filing[1:]), everything
            elif old is None:
                data, changed = self._snapshot(article, tags[article.id], authors[article.id]), everything
            else:
                data = self._snapshot(article, tags[article.id], authors[article.id])
                changed = [name for name in REVISED if old.get(name) != data.get(name)]
            revisions.append((article.id, numbers.get(article.id, 0) + 1, by_id, now, data, changed, note))
            from_state, state = before_states.get(article.id, "new"), article.state
            if from_state != state:
                changes.append((article.id, from_state, state, by_id, now, note))
        insert_rows(Revision, ["article_id", "number", "by_id", "at", "data", "changed", "note"], revisions)
        insert_rows(StateChange, ["article_id", "from_state", "to_state", "by_id", "at", "note"], changes)

    def _snapshot(self, article: Article, tag_ids: list[int], author_ids: list[int]) -> dict:
        """The story as ``stories.history.snapshot()`` keeps it, from what is in hand."""
        return {
            "kicker": article.kicker, "headline": article.headline, "summary": article.summary,
            "body": article.body, "source": article.source, "language": article.language,
            **self._filing(article, tag_ids, author_ids),
        }

    def _filing(self, article: Article, tag_ids: list[int], author_ids: list[int]) -> dict:
        """What a snapshot keeps beside the words a source gives (``derived.WORDS``)."""
        def moment(value):
            return value.isoformat() if value else None

        return {
            "slug": article.slug, "section": [article.section_id, self._section_name(article.section_id)],
            # In the newsroom's order (by name, then id), so the next save there sees no change.
            "authors": sorted(([pk, self._names[("author", pk)]] for pk in author_ids), key=_by_name),
            "tags": sorted(([pk, self._names[("tag", pk)]] for pk in tag_ids), key=_by_name),
            "lead_image": article.lead_image_id, "status": article.status,
            "published_at": moment(article.published_at), "embargo_until": moment(article.embargo_until),
            "breaking_until": moment(article.breaking_until),
        }

    # -- what stories are filed under, found or created by name -----------------------------

    def _load(self) -> None:
        # One query each for what exists, instead of one per new name met.
        if self._loaded:
            return
        self._loaded = True
        for name, slug, pk in Section.objects.values_list("name", "slug", "pk"):
            self._sections.setdefault(name, pk)
            self._sections.setdefault(slug, pk)
            self._names[("section", pk)] = name
        for name, pk in Tag.objects.values_list("name", "pk"):
            self._tags[name] = pk
            self._names[("tag", pk)] = name
        for name, slug, pk in Author.objects.values_list("name", "slug", "pk"):
            self._authors.setdefault(slug, pk)
            self._names[("author", pk)] = name

    def _section_name(self, pk: int) -> str:
        if ("section", pk) not in self._names:
            self._names[("section", pk)] = Section.objects.values_list("name", flat=True).get(pk=pk)
        return self._names[("section", pk)]

    def section(self, name: str) -> int:
        """The id of the section named (or slugged) ``name``, made if there is none; empty: the default."""
        self._load()
        name = name.strip() or self.default_section
        if name not in self._sections:
            slug = slugify(name)[:80] or "news"
            found = Section.objects.filter(slug=slug).first() or Section.objects.filter(name=name).first()
            if found is None:  # a new section joins every page's navigation
                found = taxonomy.save(Section(name=name[:80] if name != slug else name.title()[:80], slug=slug))
            self._sections[name] = found.pk
            self._names[("section", found.pk)] = found.name
        return self._sections[name]

    def tag(self, name: str) -> int:
        """The id of the tag named ``name`` (or, failing that, with its slug), made if there is none."""
        self._load()
        if name not in self._tags:
            found = tagging.tag_named(name=name)  # the one rule the desk and the API use too
            self._tags[name] = found.pk
            self._names[("tag", found.pk)] = found.name
        return self._tags[name]

    def author(self, name: str) -> int:
        """The id of the author whose name slugs as ``name`` does, made if there is none."""
        self._load()
        if name not in self._authors:
            name_120 = name.strip()[:120]
            slug = slugify(name_120)[:120] or f"author-{len(self._authors) + 1}"
            if slug not in self._authors:
                found = Author.objects.filter(slug=slug).first() or Author.objects.create(name=name_120, slug=slug)
                self._authors[slug] = found.pk
                self._names[("author", found.pk)] = found.name
            self._authors[name] = self._authors[slug]
        return self._authors[name]


def _by_name(pair: list) -> tuple:
    return pair[1], pair[0]


def _lists_of(articles: list[Article], tags: dict[int, list[int]], authors: dict[int, list[int]]) -> set[str]:
    """``_page_keys`` of every story in ``articles`` at once: a batch's stories share most of their lists."""
    sections, tag_ids, author_ids, days = set(), set(), set(), set()
    for article in articles:
        sections.add(article.section_id)
        tag_ids.update(tags[article.id])
        author_ids.update(authors[article.id])
        if article.published_at:
            days.add(article.published_at.date())
    found = {surrogate.HOME, surrogate.FEEDS} if articles else set()
    found |= {surrogate.section(pk) for pk in sections}
    found |= {surrogate.tag(pk) for pk in tag_ids}
    found |= {surrogate.author(pk) for pk in author_ids}
    return found | {surrogate.archive_day(day) for day in days}


def _page_keys(article: Article, tag_ids: Iterable[int], author_ids: Iterable[int]) -> set[str]:
    # The lists that show the story; a new story has no cached page of its own yet.
    found = {surrogate.HOME, surrogate.FEEDS, surrogate.section(article.section_id)}
    found |= {surrogate.tag(pk) for pk in tag_ids}
    found |= {surrogate.author(pk) for pk in author_ids}
    if article.published_at:
        found.add(surrogate.archive_day(article.published_at))
    return found


def settle(article_ids: list[int]) -> None:
    """After a run: choose related stories and tell the WebSub hub of changed feeds, once per run.

    Past RELATED_LIMIT stories related stories are left to the next save of each story.
    """
    from masthead.news import publishing
    from masthead.syndication import websub

    reset_sequence()
    if not article_ids or len(article_ids) > RELATED_LIMIT:
        return
    feeds: set[str] = set()
    stories = Article.objects.filter(pk__in=article_ids).select_related("section").prefetch_related("tags", "authors")
    for article in stories:
        related = publishing.choose_related(article)
        if related != article.related_ids:
            Article.objects.filter(pk=article.id).update(related_ids=related)
        if article.is_visible():
            feeds.update(websub.topics(article))
    if feeds and settings.WEBSUB_HUB:
        websub.notify(settings.WEBSUB_HUB, sorted(feeds))


def reset_sequence(*, above: int = 0) -> None:
    """Make the database number new articles above the highest News ID and ``above`` (PostgreSQL; SQLite does it itself).

    Forward only: a story the newsroom has numbered meanwhile, not yet committed, keeps its number taken.
    """
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(Article._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(sequence, GREATEST(highest, 1), highest > 0) FROM ("
                       f"SELECT sequence, GREATEST(%s, (SELECT COALESCE(MAX(id), 0) FROM {table}), "
                       "COALESCE(pg_sequence_last_value(sequence), 0)) AS highest "
                       "FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS sequence) named) numbered",
                       [above, Article._meta.db_table])


def rebuild_headline_words(*, batch: int = 5000, progress: Callable[[int], None] | None = None) -> int:
    """Write every story's headline words afresh; return how many stories.

    On SQLite in one transaction. On PostgreSQL into a table beside the one in use, swapped in at the end
    (``masthead.shadowtables``), so that the newsroom's searches and saves go on meanwhile; the table is
    filled by ``COPY`` and indexed once after: kept up word by word, and the old rows deleted one by
    one, the 1,000,000-story archive's 6.8 million words took about 7 minutes.
    """
    done, last = 0, 0
    with _headline_words_written() as write:
        while rows := list(Article.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "headline")[:batch]):
            write([(pk, word) for pk, headline in rows for word in sorted(HeadlineWord.words(headline))])
            done, last = done + len(rows), rows[-1][0]
            if progress:
                progress(done)
    return done


@contextmanager
def _headline_words_written():
    """Yield a function writing rows into an empty headline-word table, which is the one in use when the context ends."""
    table = HeadlineWord._meta.db_table
    if connection.vendor != "postgresql":
        with transaction.atomic():
            HeadlineWord.objects.all().delete()
            yield lambda rows: insert_rows(HeadlineWord, ["article_id", "word"], rows)
        return
    with shadowtables.rebuilt(connection, (table,)) as tables:
        def write(rows: list[tuple]) -> None:
            connection.ensure_connection()
            with connection.connection.cursor() as raw, raw.copy(f'COPY "{tables[table]}" (article_id, word) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)

        yield write


# -- rows, written fast ------------------------------------------------------------------------

PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey, models.BooleanField)


def insert_models(model, objects: list) -> None:
    """Insert unsaved ``objects`` of ``model`` with every concrete column, each prepared by its own field.

    A column added to the model later is written with its default. An automatic primary key left
    None is left to the database.
    """
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields
              if not (f.primary_key and getattr(objects[0], f.attname) is None)]
    names = [f.attname for f in fields]
    values = attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    insert_rows(model, [f.column for f in fields], [values(obj) for obj in objects], fields=fields)


def insert_rows(model, columns: list[str], rows: list[tuple], *, fields: list | None = None) -> None:
    """Insert plain tuples into ``model``'s table, one ``executemany``; ``fields`` (or the columns' own) prepare them."""
    if not rows:
        return
    if fields is None:
        by_column = {f.column: f for f in model._meta.concrete_fields}
        fields = [by_column[column] for column in columns]
    # Only the few columns that need it are converted; the rest of each row is copied as it is.
    convert = [(n, prepare) for n, f in enumerate(fields) if (prepare := _preparer(f)) is not None]
    if convert:
        def prepared(row) -> list:
            row = list(row)
            for n, prepare in convert:
                if row[n] is not None:
                    row[n] = prepare(row[n])
            return row

        rows = [prepared(row) for row in rows]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


class Encoded(str):
    """JSON text, encoded already: a JSON column takes it as it is (SQLite only)."""


def _preparer(field) -> Callable | None:
    # Text, numbers and keys go to the driver as they are; anything else through its field, or
    # on SQLite as Django stores it, without the lookups Django's adapters make on every call.
    sqlite = connection.vendor == "sqlite"
    if isinstance(field, models.DateTimeField):
        return _naive_utc_text if sqlite else None
    if isinstance(field, models.JSONField) and sqlite:
        return lambda value: value if type(value) is Encoded else json.dumps(value)
    if isinstance(field, PLAIN_FIELDS):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


@functools.lru_cache(maxsize=64)
def _naive_utc_text(value: datetime) -> str:
    # What Django's SQLite backend stores for an aware datetime. Cached: most times a batch
    # writes are its one "now" (created, updated, revised, audited, imported).
    return str(value.astimezone(dt_timezone.utc).replace(tzinfo=None))
