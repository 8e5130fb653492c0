"""The counter store: reads per story per hour, kept where counting costs a reader nothing.

With Redis as the cache (``MASTHEAD_CACHE_URL``), one script call per read sets the reader's repeat
mark (``SET NX EX``) and, when it was not there, adds one to the hour's hash
(``masthead:reads:h:<YYYYMMDDHH>``, story → reads); ``masthead fold_reads`` copies the hashes into
the ``StoryReads`` table. Without Redis, each process counts in its own memory and adds its counts
to ``StoryReads`` every ``FLUSH_SECONDS`` from a thread of its own. Either way a store that fails
loses the counts it held, and only those: a beacon is answered 204 whatever happens here.
"""

import logging
import secrets
import threading
import time
from collections import Counter
from datetime import datetime, timezone

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from masthead import rediscache

log = logging.getLogger(__name__)

PREFIX = "masthead:reads:"
# Hour hashes outlive the hour by two days, so a fold that was stopped for a day loses nothing.
HOUR_SECONDS_KEPT = 3 * 86400
FLUSH_SECONDS = 2.0

_RECORD = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  return 1
end
return 0
"""


def hour_of(moment: float) -> datetime:
    """The start of the UTC hour holding the Unix time ``moment``."""
    return datetime.fromtimestamp(int(moment) // 3600 * 3600, tz=timezone.utc)


def hour_key(hour: datetime) -> str:
    return f"{PREFIX}h:{hour:%Y%m%d%H}"


class RedisCounter:
    """Counts in the shared Redis, so every process and host counts one reader once."""

    def __init__(self, client):
        self.client = client
        self._record = client.register_script(_RECORD)
        self._salts: dict[str, bytes] = {}
        self._down_until = 0.0
        self._errors = rediscache._outage_errors()

    def salt(self, day: str) -> bytes:
        """Today's salt, the same in every process: made by the first to ask, gone two days later."""
        if day not in self._salts:
            key = f"{PREFIX}salt:{day}"
            self.client.set(key, secrets.token_hex(16), nx=True, ex=2 * 86400)
            self._salts = {day: bytes.fromhex(self.client.get(key).decode())}
        return self._salts[day]

    def record(self, *, story: int, reader_of, now: float, repeat_seconds: int) -> bool | None:
        """Count a read of ``story`` unless its reader (``reader_of(salt)``) read it within ``repeat_seconds``.

        True when counted, False for a repeat, None when Redis did not answer and the read was lost.
        """
        if time.monotonic() < self._down_until:
            return None
        try:
            reader = reader_of(self.salt(time.strftime("%Y-%m-%d", time.gmtime(now))))
            return bool(self._record(keys=[f"{PREFIX}s:{reader}", hour_key(hour_of(now))],
                                     args=[repeat_seconds, story, HOUR_SECONDS_KEPT]))
        except self._errors as error:
            # Counts are worth less than the reader's time: leave Redis alone for a moment and lose these.
            if self._down_until == 0.0 or time.monotonic() - self._down_until > rediscache.RETRY_SECONDS:
                log.warning("Read counts are lost while Redis does not answer (%s)", error)
            self._down_until = time.monotonic() + rediscache.RETRY_SECONDS
            return None

    def hours(self, hours: list[datetime]) -> dict[datetime, dict[int, int]]:
        """The counts held for each of ``hours``: story → reads."""
        pipe = self.client.pipeline(transaction=False)
        for hour in hours:
            pipe.hgetall(hour_key(hour))
        return {hour: {int(story): int(count) for story, count in found.items()}
                for hour, found in zip(hours, pipe.execute())}


class MemoryCounter:
    """Counts in this process's memory; ``flush()`` hands the counts over and starts afresh."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}
        self._pending: Counter = Counter()
        self._salt = (None, b"")
        self._pruned = 0.0
        self._flusher: threading.Thread | None = None
        self.flush_to = None  # set by start_flushing(): where counts go every FLUSH_SECONDS

    def salt(self, day: str) -> bytes:
        # Never written anywhere: a new process or a new day draws a new one.
        if self._salt[0] != day:
            self._salt = (day, secrets.token_bytes(16))
        return self._salt[1]

    def record(self, *, story: int, reader_of, now: float, repeat_seconds: int) -> bool:
        reader = reader_of(self.salt(time.strftime("%Y-%m-%d", time.gmtime(now))))
        with self._lock:
            if now - self._pruned > 60:
                self._seen = {key: until for key, until in self._seen.items() if until > now}
                self._pruned = now
            if self._seen.get(reader, 0) > now:
                return False
            self._seen[reader] = now + repeat_seconds
            self._pending[(story, hour_of(now))] += 1
        if self.flush_to is not None and self._flusher is None:
            self._start_thread()
        return True

    def take(self) -> Counter:
        """The counts made since the last take, (story, hour) → reads, emptied."""
        with self._lock:
            taken, self._pending = self._pending, Counter()
        return taken

    def _start_thread(self) -> None:
        with self._lock:
            if self._flusher is not None:
                return
            self._flusher = threading.Thread(target=self._flush_forever, name="masthead-reads", daemon=True)
        self._flusher.start()

    def _flush_forever(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            counts = self.take()
            if counts:
                try:
                    self.flush_to(counts)
                except Exception:  # a database that fails loses these counts; the next batch tries again
                    log.exception("Lost %d read counts: the database did not take them", sum(counts.values()))


_memory = MemoryCounter()


def store():
    """The counter store for the configured cache: Redis's when it is Redis, else this process's memory."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        counter = getattr(cache, "_masthead_reads", None)
        if counter is None:  # one per cache object (Django makes one per thread), sharing its connection pool
            counter = cache._masthead_reads = RedisCounter(cache._cache.get_client(write=True))
        return counter
    return _memory


def memory() -> MemoryCounter:
    """This process's own counter (used when the cache is not Redis)."""
    return _memory
