"""Reads from a PostgreSQL streaming replica for anonymous readers; everything else on the primary.

With ``MASTHEAD_REPLICA_URL`` set, the ``replica`` database serves the reads of a request that
may come from it: an anonymous GET or HEAD, with no session, no API token and no write of its own
in the last few seconds (read-your-writes: a write sets a short-lived cookie that keeps that
browser on the primary). Writes, the newsroom, commands and everything outside a request use the
primary.

A replica is used only while it is fresh enough: every second each process samples the primary's
WAL position and asks the replica how far it has replayed; the replica is fit while it holds
everything the primary had ``MASTHEAD_REPLICA_MAX_LAG`` seconds ago. A replica that lags past
that, or does not answer, is left alone and reads fall back to the primary until it catches up.
"""

import contextvars
import threading
import time
from collections import deque

from django.conf import settings
from django.db import OperationalError, connections

REPLICA = "replica"
PRIMARY_COOKIE = "masthead_primary"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

_allowed = contextvars.ContextVar("masthead_replica_allowed", default=False)


def configured() -> bool:
    return REPLICA in settings.DATABASES


class Router:
    """Django database router: reads on the replica when the request allows it and the replica is fit."""

    def db_for_read(self, model, **hints):
        if _allowed.get() and _health.fit():
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: rows from either belong together

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


def _primary_position() -> int:
    """How far the primary's WAL reaches, in bytes.

    The insert position, not the write position: with synchronous_commit off a commit record can
    be in the WAL buffers, past what pg_current_wal_lsn() says has been written."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")
        return int(cursor.fetchone()[0])


def _replayed_position(cursor) -> int | None:
    """How far the replica (``cursor``'s server) has replayed the WAL, in bytes; None if it is not a replica."""
    cursor.execute("SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn")
    replayed = cursor.fetchone()[0]
    return None if replayed is None else int(replayed)


class _Health:
    """One process's view of whether the replica is fit to read from, checked at most once a second."""

    def __init__(self):
        self._lock = threading.Lock()
        self._checked = 0.0
        self._fit = False
        self._samples: deque[tuple[float, int]] = deque()

    def fit(self) -> bool:
        now = time.monotonic()
        if now - self._checked >= 1.0 and self._lock.acquire(blocking=False):
            try:
                self._checked = now
                self._fit = self._check(now)
            finally:
                self._lock.release()
        return self._fit

    def _check(self, now: float) -> bool:
        max_lag = settings.REPLICA_MAX_LAG
        try:
            self._samples.append((now, _primary_position()))
            while len(self._samples) > 1 and self._samples[1][0] <= now - max_lag:
                self._samples.popleft()
            # The primary's position max_lag seconds ago (or the oldest sample kept, if younger).
            wanted = self._samples[0][1]
            with connections[REPLICA].cursor() as cursor:
                replayed = _replayed_position(cursor)
        except Exception:
            # A replica that does not answer is not fit; its connection is dropped and opened anew next time.
            self.down()
            return False
        return replayed is not None and replayed >= wanted

    def down(self) -> None:
        self._checked, self._fit = time.monotonic(), False
        try:
            connections[REPLICA].close()
        except Exception:
            pass  # closing a connection to a server that has gone may fail; it is dropped either way


_health = _Health()


class ReplicaMiddleware:
    """Let an anonymous reader's request read from the replica; keep a writer on the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured():
            return self.get_response(request)
        anonymous = (settings.SESSION_COOKIE_NAME not in request.COOKIES and "HTTP_AUTHORIZATION" not in request.META
                     and PRIMARY_COOKIE not in request.COOKIES)
        token = _allowed.set(request.method in SAFE_METHODS and anonymous)
        try:
            response = self.get_response(request)
        finally:
            _allowed.reset(token)
        if request.method not in SAFE_METHODS:
            # This browser just wrote (or tried to): its next pages come from the primary, so it sees its write.
            response.set_cookie(PRIMARY_COOKIE, "1", max_age=max(1, int(settings.REPLICA_MAX_LAG) + 5),
                                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response

    def process_exception(self, request, exception):
        """A replica that went away mid-request: mark it unfit and answer this read from the primary."""
        if not (isinstance(exception, OperationalError) and _allowed.get() and request.resolver_match):
            return None
        _health.down()
        _allowed.set(False)
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        return response.render() if hasattr(response, "render") and not response.is_rendered else response


def wait_until_replayed() -> None:
    """Return once the replica has replayed everything committed so far (or after MASTHEAD_REPLICA_MAX_LAG).

    Purges wait for this: a page re-rendered after a purge must not be built from a replica that
    has not yet seen the change, or a cache (ours or the edge's) would keep the old version.
    """
    if not configured():
        return
    deadline = time.monotonic() + settings.REPLICA_MAX_LAG
    try:
        wanted = _primary_position()
        with connections[REPLICA].cursor() as cursor:
            while time.monotonic() < deadline:
                replayed = _replayed_position(cursor)
                if replayed is None or replayed >= wanted:
                    return
                time.sleep(0.005)
    except Exception:
        _health.down()  # a replica that does not answer serves no reads either
