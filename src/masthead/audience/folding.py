"""Counts into the ``StoryReads`` table: a process's batch added, Redis's hour hashes copied."""

import time
from collections import Counter
from datetime import datetime, timedelta

from django.db import connection, transaction

from masthead.audience import counters
from masthead.audience.models import StoryReads
from masthead.news.models import Article

# Redis keeps hours for three days; a fold looks back two, so a fold stopped for a day loses nothing.
HOURS_FOLDED = 48
# Beacons sent as a page is left arrive a little after their hour: an hour is final this long after it ends.
LATE_SECONDS = 600


def _upsert(counts: dict[tuple[int, datetime], int], *, add: bool) -> int:
    """Write ``counts`` ((story, hour) → reads): added to what is there, or raised to it (never lowered)."""
    known = set(Article.objects.filter(pk__in={story for story, _ in counts}).values_list("pk", flat=True))
    rows = [(story, hour, n) for (story, hour), n in counts.items() if story in known and n > 0]
    if not rows:
        return 0
    table, quote = StoryReads._meta.db_table, connection.ops.quote_name
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    update = (f"{quote(table)}.{quote('count')} + excluded.{quote('count')}" if add
              else f"{greatest}({quote(table)}.{quote('count')}, excluded.{quote('count')})")
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    params = [value for story, hour, n in rows
              for value in (story, connection.ops.adapt_datetimefield_value(hour), n)]
    # One statement, either engine: INSERT … ON CONFLICT DO UPDATE is PostgreSQL's and SQLite's (3.24+).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(table)} ({quote('story_id')}, {quote('hour')}, {quote('count')}) "
                       f"VALUES {values} ON CONFLICT ({quote('story_id')}, {quote('hour')}) "
                       f"DO UPDATE SET {quote('count')} = {update}", params)
    return len(rows)


def add(counts: Counter) -> int:
    """Add a process's counts ((story, hour) → reads) to the table; counts of unknown stories are dropped."""
    return _upsert(dict(counts), add=True)


def fold(*, now: float | None = None) -> int:
    """Bring the counter store's counts into ``StoryReads``; how many (story, hour) rows were written."""
    now = time.time() if now is None else now
    store = counters.store()
    if isinstance(store, counters.MemoryCounter):
        return add(store.take())
    store.send()  # this process's own queued reads first
    current = counters.hour_of(now)
    hours = [current - timedelta(hours=n) for n in range(HOURS_FOLDED)]
    done_keys = [f"{counters.PREFIX}folded:{hour:%Y%m%d%H}" for hour in hours]
    done = store.client.mget(done_keys)
    open_hours = [hour for hour, mark in zip(hours, done) if mark is None]
    written = 0
    for hour, by_story in store.hours(open_hours).items():
        # The hash holds the hour's whole count so far: copying it again is harmless, so a fold may repeat.
        written += _upsert({(story, hour): n for story, n in by_story.items()}, add=False)
        if hour.timestamp() + 3600 + LATE_SECONDS < now:
            store.client.set(f"{counters.PREFIX}folded:{hour:%Y%m%d%H}", 1, ex=counters.HOUR_SECONDS_KEPT)
    return written
