"""The counter store: reads per story per hour, kept where counting costs a reader nothing.

With Redis as the cache (``MASTHEAD_CACHE_URL``), each read is queued in the process and a thread
of its own sends the queue every ``SEND_SECONDS`` in one pipeline: per read, one script call sets
the reader's repeat mark (``SET NX EX``) and, when it was not there, adds one to the hour's hash
(``masthead:reads:h:<YYYYMMDDHH>``, story → reads). So the beacon never waits for Redis, and
every process and host still counts one reader once. ``masthead fold_reads`` copies the hashes
into the ``StoryReads`` table. Without Redis, each process counts in its own memory and adds its
counts to ``StoryReads`` every ``FLUSH_SECONDS``. Either way a store that fails loses the counts it
held, and only those: a beacon is answered 204 whatever happens here.
"""

import functools
import logging
import secrets
import threading
import time
from collections import Counter, deque
from datetime import datetime, timezone

from django.conf import settings
from django.db import close_old_connections
from django.core.cache.backends.redis import RedisCache
from django.utils.module_loading import import_string

from masthead import rediscache

log = logging.getLogger(__name__)

PREFIX = "masthead:reads:"
# Hour hashes outlive the hour by two days, so a fold that was stopped for a day loses nothing.
HOUR_SECONDS_KEPT = 3 * 86400
FLUSH_SECONDS = 2.0
SEND_SECONDS = 0.05
# Reads waiting for Redis in one process; past this (Redis far too slow) new reads are lost, not queued.
MOST_QUEUED = 100_000

# One call records a batch of reads of one hour: KEYS are the readers' marks then the hour's hash,
# ARGV the repeat window, the hash's lifetime, then each read's story. A mark already there is a repeat.
_RECORD = """
local hour = KEYS[#KEYS]
local counted = 0
for i = 1, #KEYS - 1 do
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('HINCRBY', hour, ARGV[i + 2], 1)
    counted = counted + 1
  end
end
if counted > 0 then redis.call('EXPIRE', hour, ARGV[2]) end
return counted
"""

def hour_of(moment: float) -> datetime:
    """The start of the UTC hour holding the Unix time ``moment``."""
    return datetime.fromtimestamp(int(moment) // 3600 * 3600, tz=timezone.utc)


def hour_key(hour: datetime) -> str:
    return f"{PREFIX}h:{hour:%Y%m%d%H}"


def _day(now: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(now))


class RedisCounter:
    """Counts in the shared Redis, so every process and host counts one reader once."""

    def __init__(self, url: str):
        # Short timeouts, as the cache's own (settings.py): a stalled Redis costs the sending thread, not readers.
        import redis  # only where Redis is configured: every server loads this module

        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.25, socket_timeout=0.5)
        self._record = self.client.register_script(_RECORD)
        self._salts: dict[str, tuple[bytes, float]] = {}
        self._queue: deque = deque()
        self._down_until = 0.0
        self._errors = rediscache._outage_errors()
        self._sender: threading.Thread | None = None
        self._lock = threading.Lock()

    def salt(self, day: str, *, fresh: bool = True) -> bytes:
        """Today's salt, the same in every process: made by the first to ask, gone two days later.

        It is asked for again every ten minutes, so that processes agree again after Redis lost its
        data; with ``fresh`` off, one already held is used as it is (the sending thread refreshes it).
        """
        salt, until = self._salts.get(day, (b"", 0.0))
        if not salt or (fresh and time.monotonic() > until):
            key = f"{PREFIX}salt:{day}"
            self.client.set(key, secrets.token_hex(16), nx=True, ex=2 * 86400)
            salt = bytes.fromhex(self.client.get(key).decode())
            self._salts = {day: (salt, time.monotonic() + 600)}
        return salt

    def _lost(self, error: Exception) -> None:
        # Counts are worth less than the reader's time: leave Redis alone for a moment and lose these.
        if self._down_until == 0.0 or time.monotonic() - self._down_until > rediscache.RETRY_SECONDS:
            log.warning("Read counts are lost while Redis does not answer (%s)", error)
        self._down_until = time.monotonic() + rediscache.RETRY_SECONDS

    def record(self, *, story: int, reader_of, now: float, repeat_seconds: int) -> str:
        """Queue a read of ``story`` by ``reader_of(salt)``: "queued", or "lost" while Redis is away."""
        if time.monotonic() < self._down_until or len(self._queue) >= MOST_QUEUED:
            return "lost"
        try:
            # A serving process may count on its event loop: only its first read of a day waits for Redis.
            reader = reader_of(self.salt(_day(now), fresh=background is None))
        except self._errors as error:
            self._lost(error)
            return "lost"
        self._queue.append((f"{PREFIX}s:{reader}", hour_key(hour_of(now)), repeat_seconds, story))
        if background and self._sender is None:
            self._start_sender()
        return "queued"

    def send(self) -> int:
        """Send the queued reads to Redis, a script call per hour and 1,000 reads; how many were new reads (not repeats)."""
        counted = 0
        while self._queue:
            groups: dict[tuple[str, int], tuple[list, list]] = {}
            for _ in range(min(1000, len(self._queue))):
                seen, hour, repeat_seconds, story = self._queue.popleft()
                marks, stories = groups.setdefault((hour, repeat_seconds), ([], []))
                marks.append(seen)
                stories.append(story)
            try:
                for (hour, repeat_seconds), (marks, stories) in groups.items():
                    counted += self._record(keys=[*marks, hour], args=[repeat_seconds, HOUR_SECONDS_KEPT, *stories])
            except self._errors as error:
                self._lost(error)
                self._queue.clear()
        return counted

    def _start_sender(self) -> None:
        with self._lock:
            if self._sender is None:
                self._sender = threading.Thread(target=self._send_forever, name="masthead-reads", daemon=True)
                self._sender.start()

    def _send_forever(self) -> None:
        while True:
            time.sleep(SEND_SECONDS)
            try:
                self.salt(_day(time.time()))
                self.send()
            except Exception:  # never let the thread die: the next batch tries again
                log.exception("Read counts were not sent to Redis")

    def hours(self, hours: list[datetime]) -> dict[datetime, dict[int, int]]:
        """The counts held for each of ``hours``: story → reads."""
        pipe = self.client.pipeline(transaction=False)
        for hour in hours:
            pipe.hgetall(hour_key(hour))
        return {hour: {int(story): int(count) for story, count in found.items()}
                for hour, found in zip(hours, pipe.execute())}


class MemoryCounter:
    """Counts in this process's memory; ``take()`` hands the counts over and starts afresh."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}
        self._pending: Counter = Counter()
        self._salt = (None, b"")
        self._pruned = 0.0
        self._flusher: threading.Thread | None = None

    def salt(self, day: str) -> bytes:
        # Never written anywhere: a new process or a new day draws a new one.
        if self._salt[0] != day:
            self._salt = (day, secrets.token_bytes(16))
        return self._salt[1]

    def record(self, *, story: int, reader_of, now: float, repeat_seconds: int) -> str:
        """Count a read of ``story`` unless its reader read it within ``repeat_seconds``: "counted" or "repeat"."""
        reader = reader_of(self.salt(_day(now)))
        with self._lock:
            if now - self._pruned > 60:
                self._seen = {key: until for key, until in self._seen.items() if until > now}
                self._pruned = now
            if self._seen.get(reader, 0) > now:
                return "repeat"
            self._seen[reader] = now + repeat_seconds
            self._pending[(story, hour_of(now))] += 1
        if background and self._flusher is None:
            self._start_thread()
        return "counted"

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
                    close_old_connections()  # a connection the database dropped is opened afresh, as Django does per request
                    background(counts)
                except Exception:  # a database that fails loses these counts; the next batch tries again
                    log.exception("Lost %d read counts: the database did not take them", sum(counts.values()))


# Set by a serving process (audience.beacon.BeaconFront): where a process's memory counts go, and
# the sign that threads may be started to send counts in the background. Tests and commands send
# their own (``folding.fold``).
background = None
_memory = MemoryCounter()
_redis: dict[str, RedisCounter] = {}


@functools.cache
def _is_redis(backend: str) -> bool:
    return issubclass(import_string(backend), RedisCache)


def store():
    """The counter store for the configured cache: Redis's when it is Redis, else this process's memory."""
    # Read from the settings, not from ``caches``: on a server's event loop each request is a new
    # context, and ``caches["default"]`` would build a new cache object for every beacon.
    if _is_redis(settings.CACHES["default"]["BACKEND"]):
        url = settings.CACHES["default"]["LOCATION"]
        if url not in _redis:
            _redis[url] = RedisCounter(url)
        return _redis[url]
    return _memory


def memory() -> MemoryCounter:
    """This process's own counter (used when the cache is not Redis)."""
    return _memory
