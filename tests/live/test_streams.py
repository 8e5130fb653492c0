"""Live streams (Server-Sent Events) on running servers: a post from another process reaches every open stream."""

import http.client
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from tests import servers
from tests.live.factories import make_live_story, post

pytestmark = pytest.mark.django_db(transaction=True)

# Each wait for an event: long, because a crowded machine is slow; a quick server costs nothing of it.
PATIENCE = 20


class EventStream:
    """A client of one stream: reads events as a browser's EventSource does."""

    def __init__(self, base: str, path: str, **headers):
        host, port = base.rsplit("//", 1)[1].split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=PATIENCE)
        self.connection.request("GET", path, headers={"Host": "localhost", **headers})
        self.response = self.connection.getresponse()
        self.status = self.response.status

    def next(self) -> dict | None:
        """The next event (comments and ``retry:`` skipped) as {"id": ..., "data": ...}; None when the stream ends."""
        fields = {}
        while True:
            line = self.response.readline()
            if not line:
                return None
            line = line.rstrip(b"\n").decode()
            if line == "":
                if "data" in fields:
                    return {"id": int(fields["id"]), "data": json.loads(fields["data"])}
                fields = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(": ")
                fields[name] = value

    def close(self) -> None:
        self.connection.close()


def _env(**more) -> dict:
    return {**os.environ, "MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": "",
            **more}


def _get(url: str) -> str:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Host": "localhost"}), timeout=PATIENCE) as answer:
        return answer.read().decode()


def _shell(env: dict, code: str) -> None:
    subprocess.run([sys.executable, "-m", "masthead.cli", "shell", "-c", code], env=env, check=True, timeout=60,
                   capture_output=True)


@pytest.mark.parametrize("fan_out", ["purge log", "redis"])
def test_a_post_from_masthead_shell_reaches_every_open_stream_and_the_end_closes_them(fan_out, request):
    """Streams open on both workers of a granian server each receive a post made by another process,
    carrying what the polling answer carries; a reconnection naming the version it had is sent what
    it missed; the end of coverage is the last event, and the stream closes. The purge reaches the
    workers through the purge log, or through Redis pub/sub when Redis is the cache."""
    story = make_live_story(headline="Floods in Golestan")
    post(story, "Rivers rising.")
    env = _env(MASTHEAD_CACHE_URL=request.getfixturevalue("redis_url") if fan_out == "redis" else "")
    with servers.app_server(env, server="granian", workers=2) as base:
        version = json.loads(_get(f"{base}/news/{story.pk}/updates/?version=0"))["version"]
        streams = [EventStream(base, f"/news/{story.pk}/updates/stream/?version={version}") for _ in range(6)]
        assert {s.status for s in streams} == {200}
        assert streams[0].response.headers["Content-Type"].startswith("text/event-stream")
        assert streams[0].response.headers["Cache-Control"] == "no-store"
        assert streams[0].response.headers["X-Accel-Buffering"] == "no"
        _shell(env, f"from masthead.stories import live, rules; "
                    f"live.post_update({story.pk}, by=rules.System('wire desk'), body='Roads to Gorgan closed.')")
        events = [s.next() for s in streams]
        polled = json.loads(_get(f"{base}/news/{story.pk}/updates/?version={version}"))
        assert all(e == {"id": polled["version"], "data": polled} for e in events), (events[0], polled)
        assert polled["numbers"] == [2] and "Roads to Gorgan closed." in polled["html"]

        resumed = EventStream(base, f"/news/{story.pk}/updates/stream/", **{"Last-Event-ID": str(version)})
        assert resumed.next() == {"id": polled["version"], "data": polled}, "a reconnection is sent what it missed"
        streams.append(resumed)

        _shell(env, f"from masthead.stories import live, rules; live.end_coverage({story.pk}, by=rules.System('desk'))")
        for stream in streams:
            last = stream.next()
            assert last["data"]["running"] is False and "Coverage has ended" in last["data"]["status"]
            assert stream.next() is None, "the stream ends with the coverage"
            stream.close()


@pytest.mark.parametrize("server", ["granian", "uvicorn", "gunicorn"])  # RSGI and ASGI
def test_a_worker_refuses_streams_past_its_limit_and_frees_a_closed_ones_place(server):
    """With MASTHEAD_LIVE_STREAMS=1 a second stream is refused 503 with Retry-After (the page then polls);
    once the first reader goes away, a stream is accepted again. A story without coverage answers 404."""
    story = make_live_story()
    plain = make_live_story()
    with servers.app_server(_env(MASTHEAD_LIVE_STREAMS="1"), server=server, workers=1) as base:
        assert EventStream(base, "/news/999999/updates/stream/").status == 404
        first = EventStream(base, f"/news/{story.pk}/updates/stream/?version=1")
        assert first.status == 200
        refused = EventStream(base, f"/news/{plain.pk}/updates/stream/")
        assert refused.status == 503 and int(refused.response.headers["Retry-After"]) > 0
        assert refused.response.headers["Cache-Control"] == "no-store"
        refused.close()
        first.close()
        deadline = time.monotonic() + PATIENCE
        while (again := EventStream(base, f"/news/{story.pk}/updates/stream/?version=1")).status == 503:
            again.close()
            assert time.monotonic() < deadline, "the closed stream's place was never freed"
            time.sleep(0.1)
        assert again.status == 200
        again.close()


def test_a_stream_passes_the_edge_unbuffered_and_the_polling_answer_stays_cached_there():
    """Through varnishd running the shipped VCL: the stream is passed to the app and each event arrives
    as it is written (a buffered stream would hold it back until the stream ended); the polling
    answer is still an edge hit, and purged by the post."""
    story = make_live_story()
    post(story, "Rivers rising.")
    with servers.app_server(_env(), server="granian", workers=2) as base, servers.varnish([base]) as front:
        address = f"/news/{story.pk}/updates/?version=0"
        _healthy(front + address)
        version = json.loads(_get(front + address))["version"]
        assert _edge(front + address) == "hit"
        stream = EventStream(front, f"/news/{story.pk}/updates/stream/?version={version}")
        assert stream.status == 200 and stream.response.headers["X-Edge"] == "miss"
        assert stream.response.headers["Content-Type"].startswith("text/event-stream")
        _shell(_env(MASTHEAD_VARNISH_URLS=front),
               f"from masthead.stories import live, rules; "
               f"live.post_update({story.pk}, by=rules.System('wire desk'), body='Roads to Gorgan closed.')")
        event = stream.next()
        assert event["id"] > version and event["data"]["numbers"] == [2]
        stream.close()
        assert json.loads(_get(front + address))["version"] == event["id"], "the post purged the edge's copy"


def _edge(url: str) -> str:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Host": "localhost"}), timeout=PATIENCE) as answer:
        answer.read()
        return answer.headers["X-Edge"]


def _healthy(url: str) -> None:
    """Wait until the edge has found the app healthy: its first health check may time out on a busy machine."""
    deadline = time.monotonic() + PATIENCE
    while True:
        try:
            _get(url)
            return
        except urllib.error.HTTPError as error:
            if error.code != 503 or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_a_stream_that_fell_behind_is_sent_the_changes_after_the_version_it_shows():
    """A broadcast holds the changes after each version its streams showed when it was made; a stream
    is sent the one made after the latest version not newer than its own, and nothing when it is current."""
    from masthead.live.streams import News, Stream

    scope = {"headers": [(b"host", b"localhost")]}
    news = News({(b"localhost", "/news/7"): [(3, 5, b"after 3", True), (4, 5, b"after 4", True)]}, heartbeat=False)
    assert news.for_stream(Stream(scope, "/news/7", 4))[2] == b"after 4"
    assert news.for_stream(Stream(scope, "/news/7", 3))[2] == b"after 3"
    assert news.for_stream(Stream(scope, "/news/7", 2)) is None, "changes after 3 miss those of version 3"
    assert news.for_stream(Stream(scope, "/news/7", 5)) is None
    assert news.for_stream(Stream(scope, "/fa/news/7", 4)) is None, "another edition's address has its own answer"
