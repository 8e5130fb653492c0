"""With Redis, reads are counted once across processes, folded into the table, and a dead Redis costs no reader anything."""

import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from masthead.audience import beacon, counters, counting, folding
from masthead.audience.models import StoryReads
from tests import servers
from tests.audience.factories import beacon_environ
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db


def _caches(url: str) -> dict:
    return {"default": {"BACKEND": "masthead.rediscache.OutageTolerantRedisCache", "LOCATION": url,
                        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}}}


def _process_store(url: str) -> counters.RedisCounter:
    """The counter another process would use: its own queue and connections to the same Redis."""
    return counters.RedisCounter(url)


@pytest.fixture
def redis_cache(redis_url):
    with override_settings(CACHES=_caches(redis_url)):
        caches["default"].clear()
        counters._redis.clear()  # as in a process started afresh: no salt or queue held from before
        yield redis_url
        caches["default"].clear()


def test_one_reader_is_one_read_across_processes(redis_cache):
    """A repeat sent to another process is still a repeat; the salt is one for every process."""
    story = make_article()
    other = _process_store(redis_cache)
    assert beacon.hit(beacon_environ(story.pk)) == (204, "queued")
    assert counters.store().send() == 1
    now = time.time()
    assert other.salt(time.strftime("%Y-%m-%d", time.gmtime(now))) == counters.store().salt(
        time.strftime("%Y-%m-%d", time.gmtime(now)))
    reader_of = lambda salt: counting.reader(beacon_environ(story.pk), story=story.pk, salt=salt)  # noqa: E731
    assert other.record(story=story.pk, reader_of=reader_of, now=now, repeat_seconds=1800) == "queued"
    assert other.send() == 0, "the other process's Redis call finds the reader's mark"
    assert beacon.hit(beacon_environ(story.pk, REMOTE_ADDR="198.51.100.99")) == (204, "queued")
    assert folding.fold() == 1
    assert StoryReads.objects.get(story=story).count == 2


def test_folding_again_changes_nothing_and_later_reads_are_added(redis_cache):
    """The hour's hash holds its whole count: a second fold writes the same figure; new reads raise it."""
    story = make_article()
    for n in range(3):
        beacon.hit(beacon_environ(story.pk, REMOTE_ADDR=f"198.51.100.{n}"))
    folding.fold()
    folding.fold()
    assert StoryReads.objects.get(story=story).count == 3
    beacon.hit(beacon_environ(story.pk, REMOTE_ADDR="198.51.100.50"))
    folding.fold()
    assert StoryReads.objects.get(story=story).count == 4


def test_redis_keeps_only_hashes_counts_and_the_day_salt(redis_cache):
    """What Redis holds after reads: the day's salt, reader hashes that expire with the window, per-hour counts."""
    import redis

    story = make_article()
    beacon.hit(beacon_environ(story.pk, REMOTE_ADDR="203.0.113.77"))
    counters.store().send()
    client = redis.Redis.from_url(redis_cache)
    names = sorted(key.decode() for key in client.keys("masthead:reads:*"))
    assert [name.rsplit(":", 1)[0] for name in names] == ["masthead:reads:h", "masthead:reads:s", "masthead:reads:salt"]
    seen = next(name for name in names if name.startswith("masthead:reads:s:"))
    assert 0 < client.ttl(seen) <= 1800
    assert 86400 < client.ttl(next(n for n in names if n.startswith("masthead:reads:h:"))) <= counters.HOUR_SECONDS_KEPT
    everything = b" ".join(client.dump(name) or b"" for name in names)
    assert b"203.0.113.77" not in everything and b"Firefox" not in everything


def test_a_dead_redis_loses_counts_and_answers_every_beacon_quickly():
    """Redis gone: each beacon is still 204 within milliseconds; the queued reads are lost, and the next are not queued."""
    with servers.redis() as url:
        with override_settings(CACHES=_caches(url)):
            story = make_article()
            assert beacon.hit(beacon_environ(story.pk)) == (204, "queued")
            assert counters.store().send() == 1
    with override_settings(CACHES=_caches(url)):  # the server is gone now
        started = time.monotonic()
        answers = {beacon.hit(beacon_environ(story.pk, REMOTE_ADDR=f"198.51.100.{n}")) for n in range(50)}
        assert time.monotonic() - started < 1.5, "an outage must not cost every beacon a timeout"
        assert {status for status, _ in answers} == {204}
        sending = time.monotonic()
        assert counters.store().send() == 0
        assert time.monotonic() - sending < 1.5, "one short timeout, not one per read"
        assert beacon.hit(beacon_environ(story.pk, REMOTE_ADDR="198.51.100.200")) == (204, "lost")


def test_fold_reads_says_how_to_recover_when_redis_is_down():
    """``masthead fold_reads`` without Redis fails with a message naming the setting and what to do."""
    from django.core.management import CommandError, call_command

    with servers.redis() as url:
        pass
    with override_settings(CACHES=_caches(url)):
        with pytest.raises(CommandError, match=r"Redis at MASTHEAD_CACHE_URL did not answer .*run fold_reads again"):
            call_command("fold_reads")
