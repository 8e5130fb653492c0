"""The live benchmark's crowd of readers: every reader polls on its schedule and sees every update posted."""

import asyncio
import threading
import time

import pytest
from django.db import connection

from bench.crowd import crowd
from tests import servers
from tests.live.factories import make_live_story, post

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_reader_polls_once_a_period_and_sees_each_update_once():
    """40 readers polling every second for 4 s are due 160 polls; an update posted meanwhile reaches all 40."""
    story = make_live_story()
    post(story, "Before the crowd.")
    env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": "",
           "MASTHEAD_LIVE_POLL_SECONDS": "1"}
    with servers.app_server(env, server="granian", workers=2, start_seconds=60) as base:
        port = int(base.rsplit(":", 1)[1])
        threading.Timer(1.5, _post_and_close, args=(story, "During the crowd.")).start()
        posted = time.time() + 1.5
        report = asyncio.run(crowd(port=port, story=story.pk, readers=40, poll=1.0, connections=8, seconds=4))
    assert (report["errors"], report["not_ok"]) == (0, 0)
    # Four periods of 40 polls each: every one sent, or skipped while the reader waited for its last answer, or
    # left queued at the end when the server lagged.
    assert report["requests"] + report["dropped"] == 160 and report["requests"] >= 80, report
    assert report["start_version"] == 2
    assert list(report["seen"]) == ["2"] and len(report["seen"]["2"]) == 40
    assert all(0 < at - posted < 1.0 + report["late_p99_s"] + 1.0 for at in report["seen"]["2"])


def _post_and_close(story, text: str) -> None:
    """Post from the timer's thread, then close that thread's database connection: left open, it
    would keep later tests from changing the SQLite file's journal mode ("database is locked")."""
    try:
        post(story, text)
    finally:
        connection.close()
