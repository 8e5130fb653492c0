"""Anonymous readers' pages from a real PostgreSQL streaming replica; editors and writers on the primary."""

import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from tests import servers
from tests.news.factories import make_article

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]


def _status(url: str, **headers) -> int:
    request = urllib.request.Request(url, headers={"Host": "localhost", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _replay(replica_url: str, *, paused: bool) -> None:
    import psycopg

    with psycopg.connect(replica_url.replace("postgres://", "postgresql://"), autocommit=True) as replica:
        replica.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


def _wait_for(predicate, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def replicated():
    primary = servers.database_url(connection.settings_dict)
    with servers.postgres_replica(primary) as (replica_url, data):
        env = {"MASTHEAD_DATABASE_URL": primary, "MASTHEAD_REPLICA_URL": replica_url, "MASTHEAD_REPLICA_MAX_LAG": "1",
               "MASTHEAD_PAGE_CACHE_SECONDS": "0"}
        with servers.app_server(env) as app:
            yield app, replica_url, data


def test_readers_read_the_replica_editors_the_primary_and_a_lagging_replica_is_left(replicated):
    """While replay is paused a new story is on the primary only: readers see it once the replica lags too far."""
    app, replica_url, _ = replicated
    make_article(headline="Warm-up story")
    assert _wait_for(lambda: _status(app + "/") == 200)
    time.sleep(1.5)  # the app has sampled a caught-up replica
    _replay(replica_url, paused=True)
    try:
        path = make_article(headline="Written while the replica sleeps").get_absolute_url()
        assert _status(app + path) == 404, "a reader's first look comes from the replica, which has not replayed it"
        assert _status(app + path, Cookie="sessionid=x") == 200, "a signed-in session reads the primary"
        assert _status(app + path, Cookie="masthead_primary=1") == 200, "a browser that just wrote reads the primary"
        assert _wait_for(lambda: _status(app + path) == 200, seconds=5), "a replica lagging past the bound is left"
    finally:
        _replay(replica_url, paused=False)


def test_reads_move_to_the_primary_when_the_replica_stops(replicated):
    """A replica that goes away costs readers nothing: no failed request, reads from the primary."""
    app, _, data = replicated
    path = make_article(headline="Served through an outage").get_absolute_url()
    assert _wait_for(lambda: _status(app + path) == 200)
    servers.stop_postgres(data)
    assert [_status(app + path) for _ in range(5)] == [200] * 5


def test_a_write_keeps_that_browser_on_the_primary(replicated):
    """Any POST answers with the short-lived cookie that keeps its browser's next pages on the primary."""
    app, _, _ = replicated
    request = urllib.request.Request(app + "/newsroom/login/", data=b"username=x&password=y", method="POST",
                                     headers={"Host": "localhost"})
    try:
        response = urllib.request.urlopen(request, timeout=10)
        headers = response.headers
    except urllib.error.HTTPError as error:
        headers = error.headers
    assert any(cookie.startswith("masthead_primary=1") for cookie in headers.get_all("Set-Cookie") or [])
