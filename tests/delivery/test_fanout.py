"""The purge log: every process on the machine hears every purge, or knows it may have missed some."""

import time

import pytest

from masthead.delivery import fanout


@pytest.fixture
def missed():
    calls = []
    fanout.on_resubscribe.append(lambda: calls.append("missed"))
    yield calls
    fanout.on_resubscribe.pop()


def _poll(log: fanout.PurgeLog) -> None:
    time.sleep(fanout.POLL_SECONDS)
    log.poll()


def test_a_reader_follows_the_log_across_a_rotation(tmp_path, missed):
    """A reader that looks between rotations reads every line, whichever file it was written to."""
    path = str(tmp_path / "purges.log")
    reader, writer = fanout.PurgeLog(path, limit_bytes=300), fanout.PurgeLog(path, limit_bytes=300)
    for n in range(40):
        writer.publish([f"tag-{n}", "home"], time.time())
        _poll(reader)
    assert missed == []
    assert reader.generation >= 2, "the log was rotated several times"
    assert (tmp_path / "purges.log").stat().st_size <= 300


def test_a_reader_that_slept_through_a_whole_log_forgets_its_pages(tmp_path, missed):
    """An idle worker during a big import cannot know what the files it never saw said: it says so."""
    path = str(tmp_path / "purges.log")
    reader, writer = fanout.PurgeLog(path, limit_bytes=300), fanout.PurgeLog(path, limit_bytes=300)
    writer.publish(["home"], time.time())
    _poll(reader)
    for n in range(40):
        writer.publish([f"article-{n}", "feeds"], time.time())
    _poll(reader)
    assert missed == ["missed"]


def test_a_new_reader_starts_at_the_end(tmp_path, missed):
    """History concerns no page of a process that has just begun: it is not read."""
    path = str(tmp_path / "purges.log")
    writer = fanout.PurgeLog(path)
    writer.publish(["old-key"], 1000.0)
    reader = fanout.PurgeLog(path)
    assert reader.file.tell() == (tmp_path / "purges.log").stat().st_size
    writer.publish(["section-9"], time.time())
    _poll(reader)
    assert reader.file.tell() == (tmp_path / "purges.log").stat().st_size, "what follows is read"
    assert missed == []
