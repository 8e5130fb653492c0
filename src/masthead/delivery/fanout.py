"""Telling every server process when surrogate keys were purged.

Each process keeps the time of the latest purge of each key in memory (``purged``), so a page
held in its own memory is checked without a network round trip or a system call beyond one
``stat``. Purges reach that map from other processes and hosts in one of two ways:

- with Redis (``MASTHEAD_CACHE_URL``), through a pub/sub channel every process subscribes to
  (and the purge times are also written to Redis, for pages read from the shared cache by a
  process that started after the purge);
- without it, through a purge log: a small append-only file under ``MASTHEAD_VAR_DIR`` that
  every process on the machine (server workers, ``masthead shell``, an import) appends to and
  reads from where it last stopped, at most every ``POLL_SECONDS``. A file, not a database table, so a cache hit costs a
  ``stat`` and not a query; appends of one short line are atomic (``O_APPEND``).

A process that cannot be sure it heard every purge (the pub/sub connection dropped) reports
itself not ``live``, and the page cache then trusts only the shared store until it is again.
"""

import fcntl
import logging
import os
import threading
import time

from django.conf import settings

log = logging.getLogger(__name__)

CHANNEL = "masthead:purge"
# How often a process looks at the purge log: a hit then costs a clock read, not a stat, and a
# purge reaches every process within this time.
POLL_SECONDS = 0.01
# The log is rewritten with only its recent lines when it passes this size.
LOG_LIMIT_BYTES = 1 << 20

purged: dict[str, float] = {}
# No value in ``purged`` is newer than this: a page rendered after it needs no look at its keys.
newest = 0.0
# Called when a process may have missed purges: it subscribed to the channel again after
# losing it, or slept through a whole purge log.
on_resubscribe: list = []


# Past this many keys, those purged before every live page was rendered are forgotten.
REMEMBERED_KEYS = 100_000


def _remember(at: float, keys) -> None:
    global newest
    newest = max(newest, at)  # before the keys: a page checked in between is read key by key
    for key in keys:
        if purged.get(key, 0.0) < at:
            purged[key] = at
    if len(purged) > REMEMBERED_KEYS:
        horizon = _horizon()
        for key in [k for k, t in purged.items() if t < horizon]:
            purged.pop(key, None)


def purged_since(keys, moment: float) -> bool:
    """Whether any of ``keys`` was purged at or after ``moment`` (as far as this process knows)."""
    if newest < moment:
        return False  # nothing at all was purged since: the case of nearly every hit
    return any(purged.get(key, 0.0) >= moment for key in keys)


def _horizon() -> float:
    # A purge older than the longest page lifetime only concerns pages that have expired anyway.
    return time.time() - settings.PAGE_CACHE_SECONDS - 60


def _generation(line: bytes) -> int | None:
    """The number a purge log's first line gives it (None for a log without one)."""
    return int(line[1:]) if line.startswith(b"#") and line[1:].strip().isdigit() else None


class PurgeLog:
    """The embedded fan-out: an append-only file of ``<time> <key> <key>...`` lines.

    Past ``limit_bytes`` a writer replaces the file with an empty one whose first line numbers
    it (``#<generation>``). History is never needed: a process's pages were all rendered after it
    began reading, so a new reader starts at the end. A reader that finds a generation it did
    not expect slept through a whole file (an idle worker during a big import): it forgets the
    pages it holds, as a Redis subscriber does when it lost the channel.
    """

    live = True

    def __init__(self, path: str, *, limit_bytes: int = LOG_LIMIT_BYTES):
        self.path = path
        self.lock_path = path + ".lock"
        self.limit_bytes = limit_bytes
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.file = None
        self.identity = None
        self.generation = None
        self.pending = b""
        self.mutex = threading.Lock()
        self.next_poll = 0.0
        self.poll()

    def publish(self, keys, at: float) -> None:
        line = f"{at:.6f} {' '.join(keys)}\n".encode()
        with open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            # Opened under the lock: a rotation swaps the file, and a line written to the old one is lost.
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                if os.fstat(descriptor).st_size == 0:
                    os.write(descriptor, b"#0\n")
                os.write(descriptor, line)
                size = os.fstat(descriptor).st_size
            finally:
                os.close(descriptor)
            if size > self.limit_bytes:
                with open(self.path, "rb") as current:
                    generation = _generation(current.readline()) or 0
                temporary = f"{self.path}.{os.getpid()}"
                with open(temporary, "wb") as fresh:
                    fresh.write(f"#{generation + 1}\n".encode())
                os.replace(temporary, self.path)
        _remember(at, keys)

    def poll(self) -> None:
        """Read what other processes appended since the last look (one ``stat`` when nothing was)."""
        now = time.monotonic()
        if now < self.next_poll:
            return
        self.next_poll = now + POLL_SECONDS
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            return
        identity = (status.st_ino, status.st_dev)
        if identity == self.identity and status.st_size == self.file.tell() + len(self.pending):
            return
        with self.mutex:
            if identity != self.identity:
                first = self.file is None
                if not first:
                    self._read()  # the old file's last lines, then the new file from its start
                    self.file.close()
                self.file, self.identity, self.pending = open(self.path, "rb"), identity, b""
                if first:
                    self.generation = _generation(self.file.readline())
                    self.file.seek(0, os.SEEK_END)
            self._read()

    def _read(self) -> None:
        data = self.pending + self.file.read()
        complete, _, self.pending = data.rpartition(b"\n")
        for line in complete.split(b"\n") if complete else ():
            if line.startswith(b"#"):
                generation = _generation(line)
                if self.generation is not None and generation != self.generation + 1:
                    for callback in on_resubscribe:
                        callback()
                self.generation = generation
                continue
            at, *keys = line.decode().split(" ")
            _remember(float(at), keys)


class RedisChannel:
    """The fan-out through Redis pub/sub, heard by a thread in each process."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)
        self.live = False
        self.closed = False
        thread = threading.Thread(target=self._listen, name="masthead-purge-listener", daemon=True)
        thread.start()
        deadline = time.monotonic() + 1
        while not self.live and time.monotonic() < deadline:
            time.sleep(0.005)

    def publish(self, keys, at: float) -> None:
        _remember(at, keys)
        self.client.publish(CHANNEL, f"{at:.6f} {' '.join(keys)}")

    def poll(self) -> None:
        pass  # the listening thread keeps ``purged`` current

    def close(self) -> None:
        self.closed = True

    def _listen(self) -> None:
        while not self.closed:
            try:
                subscription = self.client.pubsub(ignore_subscribe_messages=False)
                subscription.subscribe(CHANNEL)
                for message in subscription.listen():
                    if message["type"] == "subscribe":
                        for callback in on_resubscribe:
                            callback()  # purges missed while deaf: what this process holds is suspect
                        self.live = True
                    elif self.closed:
                        return
                    elif message["type"] == "message":
                        at, *keys = message["data"].decode().split(" ")
                        _remember(float(at), keys)
            except Exception as error:  # Redis restarting or unreachable: deaf until subscribed again
                if not self.closed:
                    log.warning("purge channel lost (%s); pages are read from the shared cache until it is back", error)
            self.live = False
            time.sleep(0.5)


_state: dict = {}
_making = threading.Lock()


def current():
    """This process's fan-out, made on first use by exactly one thread."""
    found = _state.get("channel")
    if found is None:
        # Several server threads take their first request at once: without the lock each made a
        # channel of its own, and with Redis a listening thread each.
        with _making:
            found = _state.get("channel")
            if found is None:
                location = settings.CACHES["default"]["LOCATION"] if "redis" in settings.CACHES["default"]["BACKEND"] else None
                found = _state["channel"] = (RedisChannel(location) if location
                                             else PurgeLog(str(settings.VAR_DIR / "cache" / "purges.log")))
    return found


def _forked() -> None:
    # A thread does not survive a fork: a child makes its own channel (and lock) on first use. This
    # replaces a process-id check on every cache hit.
    global _making
    _making = threading.Lock()
    _state.clear()


os.register_at_fork(after_in_child=_forked)


def reset() -> None:
    """Forget this process's fan-out, for a change of settings (tests)."""
    for channel in _state.values():
        if isinstance(channel, RedisChannel):
            channel.close()
    _state.clear()
