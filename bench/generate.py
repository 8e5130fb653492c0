"""A synthetic newspaper archive for the benchmark: sections, tags, authors and many stories.

Stories are written straight into the tables in one transaction with large batched inserts
(``executemany`` on SQLite, ``COPY`` on PostgreSQL): going through ``stories.changes`` would
render Markdown and choose related stories one row at a time, a few hundred stories a second.
What ``save`` would have computed is computed here once and reused: each body template is
rendered to sanitised HTML once, and related stories are the newest earlier ones sharing the
story's first tag, topped up from its section, as ``publishing.choose_related`` picks them.
The search index and headline words are then built from the rows, so the archive holds what the
story service's bulk path (``masthead.stories.bulk``) would write for the same stories; a test
compares the two.
"""

import json
import multiprocessing
import os
import random
import threading
import time
import traceback
from collections import deque
from itertools import islice, repeat
from queue import Empty
from dataclasses import dataclass
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from django.db import DatabaseError, connection, transaction

from masthead import sanitize, search
from masthead.news.models import Article, Author, Section, Tag
from masthead.stories import bulk

# Sections and their share of the archive. The first is big enough for a page 1,000
# (20,000 stories) from 80,000 stories on.
SECTIONS = [
    ("National", "national", 25), ("Politics", "politics", 17), ("Economy", "economy", 14),
    ("World", "world", 12), ("Sport", "sport", 11), ("Culture", "culture", 8),
    ("Science", "science", 7), ("Opinion", "opinion", 6),
]
TAG_COUNT = 2_000
AUTHOR_COUNT = 150
BODY_TEMPLATES = 64
BATCH = 5_000
RELATED_COUNT = 5
MMAP_DURING_LOAD = 4 << 30
SORT_RUN_KIB = -2048  # a negative cache_size is in KiB
MINUTES_BETWEEN_STORIES = 12  # about 120 stories a day, as a busy daily publishes
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

WORDS = (
    "minister parliament budget inflation market oil export talks security region border council "
    "reform election court tribunal health hospital school university research drought water "
    "energy grid solar wind railway port shipping harvest wheat rice currency bank rate growth "
    "industry factory steel cement mining copper gold tourism heritage festival museum film "
    "football wrestling volleyball league final championship coach squad record season "
    "province city capital governor mayor district village farmers workers unions students "
    "doctors scientists engineers diplomats envoy delegation summit treaty agreement sanctions "
    "negotiations dialogue cooperation investment loans bonds stocks index exchange imports "
    "customs tariffs freight pipeline refinery gas petrochemical electricity dam irrigation"
).split()
SUBJECTS = (
    "Government", "Parliament", "Central bank", "Foreign minister", "Health ministry", "Tehran",
    "Oil ministry", "National team", "Scientists", "Farmers", "Exporters", "Court", "President",
    "Mayor", "Universities", "Railway company", "Steelmakers", "Film festival", "Tourism board",
    "Energy ministry", "Diplomats", "Customs office", "Wrestlers", "Investors", "Province",
)
# What slugify() makes of each subject; verbs and words are lower-case already, and a headline is
# shorter than a slug's 120 characters.
SUBJECT_SLUGS = [subject.lower().replace(" ", "-") for subject in SUBJECTS]
VERBS = (
    "plans", "approves", "rejects", "unveils", "expands", "cuts", "doubles", "reviews", "backs",
    "opens", "delays", "launches", "defends", "questions", "welcomes", "signs", "extends", "wins",
)


@dataclass
class Built:
    articles: int
    tags: int
    authors: int
    article_tags: int
    article_authors: int
    seconds: float
    cpu_seconds: float  # CPU time of this process and the one making rows: steadier than wall time on a busy machine
    index_seconds: float = 0.0  # the search index and headline words, built from the rows afterwards

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, 8, 22) for _ in range(rng.randint(1, 3)))


def _body_templates(rng: random.Random) -> list[tuple[str, str]]:
    """(Markdown, sanitised HTML) pairs of 5-8 paragraphs, each rendered once."""
    templates = []
    for n in range(BODY_TEMPLATES):
        paragraphs = [_paragraph(rng) for _ in range(rng.randint(5, 8))]
        if n % 4 == 0:
            paragraphs.insert(3, "> " + _sentence(rng, 10, 18))
        if n % 6 == 0:
            paragraphs.insert(2, "## " + _sentence(rng, 3, 6).rstrip("."))
        body = "\n\n".join(paragraphs)
        templates.append((body, sanitize.render_markdown(body)))
    return templates


def _headlines(rng: random.Random, count: int) -> tuple[list[str], list[str]]:
    """Headlines and their slugs."""
    subjects, verbs = rng.choices(range(len(SUBJECTS)), k=count), rng.choices(VERBS, k=count)
    lengths, words = rng.choices((3, 4, 5, 6), k=count), rng.choices(WORDS, k=6 * count)
    headlines, slugs = [], []
    for i, (subject, verb, length) in enumerate(zip(subjects, verbs, lengths)):
        rest = words[6 * i:6 * i + length]
        headlines.append(f"{SUBJECTS[subject]} {verb} {' '.join(rest)}")
        slugs.append(f"{SUBJECT_SLUGS[subject]}-{verb}-{'-'.join(rest)}")
    return headlines, slugs


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _zipf_weights(count: int) -> list[float]:
    # A few tags (Iran, Oil, Football) are on many stories; most are on few.
    return [1 / (rank + 1) for rank in range(count)]


def _make_lookups() -> tuple[list[Section], list[Tag], list[Author]]:
    sections = [Section.objects.create(name=name, slug=slug, position=n, description=f"News from {name}.")
                for n, (name, slug, _share) in enumerate(SECTIONS)]
    tags = Tag.objects.bulk_create([Tag(name=f"{word.capitalize()} {n}", slug=f"{word}-{n}")
                                    for n, word in ((n, WORDS[n % len(WORDS)]) for n in range(TAG_COUNT))],
                                   batch_size=BATCH)
    authors = Author.objects.bulk_create(
        [Author(name=f"Reporter {n}", slug=f"reporter-{n}", bio=f"Reporter {n} covers the news.")
         for n in range(AUTHOR_COUNT)], batch_size=BATCH)
    if connection.vendor == "sqlite" or not tags[0].pk:
        tags = list(Tag.objects.order_by("pk"))
        authors = list(Author.objects.order_by("pk"))
    return sections, tags, authors


def _writer():
    """A function inserting rows into a table, fastest way the database offers."""
    connection.ensure_connection()
    raw = connection.connection  # the driver's own connection, below Django's query wrappers
    if connection.vendor == "postgresql":
        def write(table: str, columns: list[str], rows: list[tuple]) -> None:
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        def write(table: str, columns: list[str], rows: list[tuple] | str) -> None:
            if isinstance(rows, str):  # pairs as JSON text (see _stories): one statement takes them all
                first, second = columns
                raw.execute(f"INSERT INTO {table} ({first}, {second}) SELECT json_extract(value, '$[0]'),"
                            " json_extract(value, '$[1]') FROM json_each(?)", (rows,))
                return
            marks = ", ".join("?" for _ in columns)
            raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
    return write


def _time_text(suffix: str):
    """A function from a POSIX time in whole seconds to the text a database reads as that UTC time.

    Cheaper than a datetime per story: a date's text is made once, the time of day is looked up.
    """
    time_of_day = [f"{hour:02}:{minute:02}:{second:02}{suffix}"
                   for hour in range(24) for minute in range(60) for second in range(60)]
    dates: dict[int, str] = {}

    def text(seconds: int) -> str:
        day, second = divmod(seconds, 86_400)
        date = dates.get(day)
        if date is None:
            date = dates[day] = (EPOCH + timedelta(days=day)).date().isoformat() + " "
        return date + time_of_day[second]
    return text


@contextmanager
def _bulk_load_settings():
    """On PostgreSQL, session settings for a bulk load. On SQLite, load through a rollback journal rather than the write-ahead log, without per-row foreign-key checks, then go back to WAL.

    A rollback journal keeps nothing for pages appended past the end of the file, so loading an
    empty archive writes each page once; the WAL would write it twice (log, then checkpoint).
    The load stays one transaction that a failure rolls back, and commits with the usual fsync.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Bodies are long enough to be compressed (TOAST): lz4 does it several times faster
            # than the default pglz. Index builds get room to sort in memory. This session only.
            cursor.execute("SET default_toast_compression = 'lz4'")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            # The rows are consistent by construction: skip the foreign-key trigger per row
            # (as pg_restore --disable-triggers does). Only a superuser may; others pay the checks.
            replica = _try(cursor, "SET session_replication_role = replica")
        try:
            yield
        finally:
            if replica:
                with connection.cursor() as cursor:
                    cursor.execute("SET session_replication_role = origin")
        return
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield  # SQLite cannot change its journal inside a transaction (as in a test): load as it is
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        mmap_size = cursor.fetchone()[0]
        cursor.execute("PRAGMA temp_store")
        temp_store = cursor.fetchone()[0]
        cursor.execute("PRAGMA journal_mode=DELETE")
        # These pragmas hold for this connection only, and are undone below.
        # The rows are consistent by construction: skip the parent lookup each foreign key costs
        # per row (two per story-tag row), as on PostgreSQL; a test runs the check afterwards.
        cursor.execute("PRAGMA foreign_keys=OFF")
        # Each index build reads the whole story table (1.2 GB at 300,000 stories); mapped into
        # memory it is read without a system call per page. SQLite caps this at its build's limit.
        cursor.execute(f"PRAGMA mmap_size={MMAP_DURING_LOAD}")
        # Index builds sort their keys in runs kept in temporary storage; SQLite reads runs back
        # from temporary files three times as fast as from its in-memory ones.
        cursor.execute("PRAGMA temp_store=FILE")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA temp_store={temp_store}")
            cursor.execute(f"PRAGMA mmap_size={mmap_size}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")


@contextmanager
def _flushing(every: float = 1.0):
    """On SQLite, write the database file's new pages to disk every ``every`` seconds while the load runs.

    Otherwise the kernel keeps them in memory until the commit's fsync, which then writes 1.5 GB
    (300,000 stories) while the build waits; written as they come, that overlaps making and
    writing rows and leaves the commit little to do. The commit still syncs as always.
    """
    path = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or not os.path.isfile(path):
        yield
        return
    stop = threading.Event()

    def flush():
        descriptor = os.open(path, os.O_RDONLY)
        try:
            while not stop.wait(every):
                getattr(os, "fdatasync", os.fsync)(descriptor)  # lets go of the GIL while it waits
        finally:
            os.close(descriptor)

    flusher = threading.Thread(target=flush, name="bench-flush", daemon=True)
    flusher.start()
    try:
        yield
    finally:
        stop.set()
        flusher.join()


def _try(cursor, sql: str) -> bool:
    try:
        with transaction.atomic():
            cursor.execute(sql)
    except DatabaseError:
        return False
    return True


def _secondary_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes on ``tables`` that no constraint or primary key owns."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
                           " AND indexname NOT IN (SELECT conname FROM pg_constraint)", [tables])
        else:
            marks = ", ".join("%s" for _ in tables)
            cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                           f" AND tbl_name IN ({marks})", tables)
        return cursor.fetchall()


@contextmanager
def _indexes_built_after(tables: list[str]):
    """Drop the secondary indexes of ``tables`` and build them again at the end.

    Building an index once over sorted rows is several times faster than keeping it up to date
    row by row (the random slug order is the worst case); both happen inside the transaction.
    """
    indexes = _secondary_indexes(tables)
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's foreign keys are checked at commit; PostgreSQL will not index a table
            # with checks pending, so run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _name, sql in indexes:
                cursor.execute(sql)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return
        # SQLite sorts an index's keys in runs as large as its page cache, then merges the runs
        # (written to temporary files during the load, see _bulk_load_settings). Runs of 2 MiB
        # stay in the processor's cache: the 1,000,000 story-tag keys sort three times as fast
        # (0.35 s, not 1.05 s) as in one run of 64 MiB kept in memory.
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size={SORT_RUN_KIB}")
        for _name, sql in indexes:
            cursor.execute(sql)
        cursor.execute(f"PRAGMA cache_size={cache_size}")


@dataclass
class Batch:
    articles: list[tuple]
    article_tags: list[tuple[int, int]] | str  # or JSON text of the pairs
    article_authors: list[tuple[int, int]] | str


def _stories(rng: random.Random, *, count: int, start: datetime, time_suffix: str, pairs_as_json: bool,
             section_ids: list[int], tag_ids: list[int], author_ids: list[int]):
    """Batches of story rows with their tag and author rows, in News ID order (pure Python, no database).

    With ``pairs_as_json`` the tag and author rows come as JSON text, which SQLite reads a batch at
    a time in one statement: less than half the cost of a statement per row, and the encoding is
    done here, beside the writer rather than in it.
    """
    templates = _body_templates(rng)
    summaries = [_sentence(rng, 18, 34) for _ in range(2_000)]
    kickers = ["", "", "", "Analysis", "Exclusive", "Interview", "Diplomacy", "Markets", "Feature"]
    sources = ["", "IRNA", "Press TV", "Reuters", "AFP", "Staff"]
    section_weights = _cumulative([s[2] for s in SECTIONS])
    tag_weights = _cumulative(_zipf_weights(len(tag_ids)))
    as_stored = _time_text(time_suffix)
    first_second = int(start.timestamp())
    recent_by_tag: dict[int, deque] = {}
    recent_by_section = {pk: deque(maxlen=RELATED_COUNT) for pk in section_ids}
    for first in range(1, count + 1, BATCH):
        size = min(BATCH, count + 1 - first)
        # Random draws in bulk: one call per column is much cheaper than one per story. A batch
        # at a time, so that the first batch is ready at once.
        tag_counts = rng.choices((2, 3, 4, 5), k=size)
        tag_draws = iter(rng.choices(tag_ids, cum_weights=tag_weights, k=sum(tag_counts)))
        authors = rng.choices(author_ids, k=2 * size)
        headlines, slugs = _headlines(rng, size)
        columns = zip(range(first, first + size), rng.choices(section_ids, cum_weights=section_weights, k=size),
                      tag_counts, headlines, slugs, rng.choices(kickers, k=size), rng.choices(sources, k=size),
                      rng.choices(summaries, k=size), rng.choices(range(60), k=size), authors[::2], authors[1::2])
        batch = Batch([], [], [])
        for news_id, section_id, tag_count, headline, slug, kicker, source, summary, second, author, other_author in columns:
            story_tags = list(dict.fromkeys(islice(tag_draws, tag_count)))
            body, body_html = templates[news_id % BODY_TEMPLATES]
            published = as_stored(first_second + 60 * MINUTES_BETWEEN_STORIES * news_id + second)
            # Newest earlier stories sharing the first tag, topped up from the section.
            by_tag = recent_by_tag.get(story_tags[0])
            if by_tag is None:
                by_tag = recent_by_tag[story_tags[0]] = deque(maxlen=RELATED_COUNT)
            by_section = recent_by_section[section_id]
            related = list(reversed(by_tag))
            if len(related) < RELATED_COUNT:
                for pk in reversed(by_section):
                    if len(related) >= RELATED_COUNT:
                        break
                    if pk not in related:
                        related.append(pk)
            batch.articles.append((
                news_id, slug, kicker, headline, summary, body, body_html, source, section_id, "en", "published",
                published, published, published, "[" + ", ".join(map(str, related)) + "]", 1,
            ))
            batch.article_tags.extend(zip(repeat(news_id), story_tags))
            batch.article_authors.append((news_id, author))
            if news_id % 3 == 0 and other_author != author:
                batch.article_authors.append((news_id, other_author))
            by_tag.append(news_id)
            by_section.append(news_id)
        if pairs_as_json:
            batch.article_tags, batch.article_authors = json.dumps(batch.article_tags), json.dumps(batch.article_authors)
        yield batch


def _in_another_process(make_batches, *, ahead: int = 2):
    """Iterate the batches ``make_batches()`` yields in a child process, so making rows overlaps writing them.

    A thread shares the writer's GIL: binding each row's values and making rows then take turns,
    and the build used one core. The child is forked, so it needs nothing pickled but its batches
    (each body template once per batch: pickle keeps one copy of a repeated object).
    """
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=ahead)

    def produce():
        try:
            for batch in make_batches():
                queue.put(batch)
        except BaseException:  # handed to the writer, which raises it
            queue.put(RuntimeError(f"Making the archive's rows failed:\n{traceback.format_exc()}"))
        queue.put(None)

    child = context.Process(target=produce, name="bench-generate", daemon=True)
    child.start()
    try:
        while True:
            try:
                item = queue.get(timeout=1)
            except Empty:
                if child.is_alive():
                    continue
                raise RuntimeError(f"The process making the archive's rows ended early (exit code {child.exitcode}).")
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
        child.join()
    finally:
        if child.is_alive():
            child.terminate()
            child.join()


ARTICLE_COLUMNS = ["id", "slug", "kicker", "headline", "summary", "body", "body_html", "source", "section_id",
                   "language", "status", "published_at", "created_at", "updated_at", "related_ids", "version"]


def build(*, articles: int, seed: int = 1, end: datetime | None = None, progress=None) -> Built:
    """Fill an empty, migrated database with ``articles`` published stories; return counts and time.

    ``progress``, if given, is called with the number of stories written so far after each batch.
    """
    if Article.objects.exists():
        raise RuntimeError("The archive must start empty, but the database already holds stories: "
                           "build into a new MASTHEAD_VAR_DIR or database.")
    rng = random.Random(seed)
    end = (end or datetime.now(timezone.utc)).replace(microsecond=0) - timedelta(minutes=1)
    start = end - timedelta(minutes=MINUTES_BETWEEN_STORIES * articles)
    table = Article._meta.db_table
    tag_table = Article.tags.through._meta.db_table
    author_table = Article.authors.through._meta.db_table
    stored = 0

    started, cpu_started = time.perf_counter(), _cpu_seconds()
    with _bulk_load_settings(), transaction.atomic():
        sections, tags, authors = _make_lookups()
        write = _writer()
        # What Django's SQLite backend stores for an aware datetime is naive UTC text; PostgreSQL
        # reads the offset.
        time_suffix = "" if connection.vendor == "sqlite" else "+00:00"
        options = {"count": articles, "start": start, "time_suffix": time_suffix,
                   "pairs_as_json": connection.vendor == "sqlite", "section_ids": [s.pk for s in sections],
                   "tag_ids": [t.pk for t in tags], "author_ids": [a.pk for a in authors]}
        with _flushing(), _indexes_built_after([table, tag_table, author_table]):
            for batch in _in_another_process(lambda: _stories(rng, **options)):
                write(table, ARTICLE_COLUMNS, batch.articles)
                write(tag_table, ["article_id", "tag_id"], batch.article_tags)
                write(author_table, ["article_id", "author_id"], batch.article_authors)
                stored += len(batch.articles)
                if progress:
                    progress(stored)
        if connection.vendor == "postgresql":
            # New stories written in the newsroom continue above the highest News ID.
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {articles})")
    seconds, cpu_seconds = time.perf_counter() - started, _cpu_seconds() - cpu_started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Planner statistics before the index is built from the rows: without them PostgreSQL
            # read each batch of the search index's stories through a bitmap of the whole
            # table (1.2 s a batch of 2,000 at 1,000,000 stories, until autovacuum analysed it).
            cursor.execute(f"ANALYZE {table}, {tag_table}, {author_table}")
    # What the story service's bulk path writes beside the rows (a test holds the two equal),
    # made from the stored rows by the functions that rebuild them.
    with transaction.atomic():
        search.backend().rebuild()
        bulk.rebuild_headline_words()
    index_seconds = time.perf_counter() - started - seconds
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as a long-running site has
    return Built(articles=stored, tags=len(tags), authors=len(authors),
                 article_tags=Article.tags.through.objects.count(),
                 article_authors=Article.authors.through.objects.count(), seconds=seconds, cpu_seconds=cpu_seconds,
                 index_seconds=index_seconds)


def illustrate(*, every: int = 2) -> int:
    """Give every ``every``-th story a lead picture, one of the demo paper's photographs, so article,
    home and list pages are measured with pictures; return how many stories got one."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from masthead.media import uploads
    from masthead.news import demo

    files = sorted(demo.PHOTOS_DIR.glob("*.jpg"))
    images = [uploads.accept(SimpleUploadedFile(f.name, f.read_bytes(), content_type="image/jpeg"),
                             alt=f"Photograph {f.stem}", caption=f"The demo photograph {f.stem}.", credit="Public domain",
                             ) for f in files]
    table = Article._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        for n, image in enumerate(images):
            # News IDs that are multiples of ``every`` share the pictures out in turn.
            cursor.execute(f'UPDATE {table} SET "lead_image_id" = %s WHERE "id" %% %s = 0 AND ("id" / %s) %% %s = %s',
                           [image.pk, every, every, len(images), n])
        cursor.execute(f'SELECT COUNT(*) FROM {table} WHERE "lead_image_id" IS NOT NULL')
        return cursor.fetchone()[0]
