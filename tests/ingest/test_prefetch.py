import multiprocessing
import os

import pytest

from masthead import search
from masthead.ingest import prefetch
from masthead.news.models import Article, HeadlineWord
from tests.ingest.factories import ninjs_story, run_import, write_jsonl


@pytest.mark.django_db
def test_a_big_input_read_in_a_second_process_reports_items_as_in_process(tmp_path, monkeypatch):
    """Failures, skips and positions cross the pipe intact; the child process is gone afterwards."""
    stories = [ninjs_story(n) for n in range(1, 501)]
    stories[99] = {"uri": "urn:x", "type": "picture"}
    stories[199] = {"uri": "urn:y", "headline": "No body"}
    path = write_jsonl(tmp_path / "wire.jsonl", stories)
    with path.open("a") as out:
        out.write("{not json\n")
    monkeypatch.setattr(prefetch, "PREFETCH_BYTES", 1024)
    assert path.stat().st_size > 1024
    result = run_import(path)
    assert "498 created, 0 updated, 0 unchanged, 1 skipped, 2 failed" in result.stdout
    assert f"failed: {path}:200: has no body" in result.stderr
    assert f"failed: {path}:501: is not JSON" in result.stderr
    assert f"skipped: {path}:100: ninjs type 'picture' is not a story" in result.stderr
    assert Article.objects.count() == 498
    assert multiprocessing.active_children() == []  # the reading process is gone, not even a zombie


def test_then_runs_in_the_reading_process_for_a_big_input_and_in_this_one_for_a_small(tmp_path, monkeypatch):
    """What an import prepares beside the reading (hashing, checks, search text) is the child's work, not the writer's."""
    from masthead.ingest import formats, sources

    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(n) for n in range(1, 51)])

    def pids() -> set[int]:
        entry = next(iter(sources.inputs([str(path)], stdin=None)))
        read = formats.reader(entry, forced=None)
        return {pid for pid, _ in prefetch.items(read, entry, then=lambda things: [(os.getpid(), t) for t in things])}

    assert pids() == {os.getpid()}
    monkeypatch.setattr(prefetch, "PREFETCH_BYTES", 1024)
    assert len(pids()) == 1 and pids() != {os.getpid()}


@pytest.mark.django_db
def test_items_checked_in_the_reading_process_fail_alone_with_their_warnings_said(tmp_path, monkeypatch):
    """A control character or an unknown edition found in the child is that item's named failure; the rest go in."""
    stories = [ninjs_story(n) for n in range(1, 301)]
    stories[9] = ninjs_story(10, headline="Wire\x01 story 10")
    stories[19] = ninjs_story(20, language="xx")
    path = write_jsonl(tmp_path / "wire.jsonl", stories)
    monkeypatch.setattr(prefetch, "PREFETCH_BYTES", 1024)
    result = run_import(path)
    assert result.returncode == 1
    assert (f"failed: {path}:10: headline holds U+0001 at character 5, a control character that is not text: "
            "remove it from the source") in result.stderr
    assert f"failed: {path}:20: language 'xx' is not one of the site's (en, fa)" in result.stderr
    assert "298 created, 0 updated, 0 unchanged, 0 skipped, 2 failed" in result.stdout
    assert Article.objects.count() == 298
    assert multiprocessing.active_children() == []


@pytest.mark.django_db(transaction=True)
def test_a_second_run_read_in_a_second_process_finds_unchanged_and_changed_items(tmp_path, monkeypatch):
    """Items the reading process finds unchanged are not made again; one changed back later in the file still is."""
    monkeypatch.setattr(prefetch, "PREFETCH_BYTES", 1024)
    stories = [ninjs_story(n) for n in range(1, 301)]
    path = write_jsonl(tmp_path / "wire.jsonl", stories)
    assert "300 created" in run_import(path).stdout
    # Story 5 changes, then comes again as it was: when it is read the second time the database
    # still holds it as it was, but by the time it is written the first change is in.
    again = [*stories[:4], ninjs_story(5, headline="Wire story 5, corrected"), *stories[5:], stories[4],
             ninjs_story(301)]
    result = run_import(write_jsonl(tmp_path / "again.jsonl", again))
    assert "1 created, 2 updated, 299 unchanged, 0 skipped, 0 failed" in result.stdout
    story = Article.objects.get(headline="Wire story 5")
    assert list(HeadlineWord.objects.filter(article_id=story.pk).order_by("word").values_list("word", flat=True)) == [
        "5", "story", "wire"]
    assert [hit.article.pk for hit in search.search("corrected").hits] == []
    assert Article.objects.count() == 301


def test_the_reading_process_reads_on_while_the_writer_is_busy(tmp_path, monkeypatch):
    """Chunks larger than a pipe holds do not make the child wait for the parent to ask for each one."""
    import time

    from masthead.ingest import formats, sources

    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(n) for n in range(1, 2001)])
    monkeypatch.setattr(prefetch, "PREFETCH_BYTES", 1024)
    prepared = multiprocessing.get_context("fork").Value("i", 0)

    def then(things):
        with prepared.get_lock():
            prepared.value += 1
        return [(thing, "x" * 10_000) for thing in things]  # 2 MB a chunk: many times what a pipe holds

    entry = next(iter(sources.inputs([str(path)], stdin=None)))
    received = prefetch.items(formats.reader(entry, forced=None), entry, then=then)
    next(received)  # the writer takes one item, then is busy writing
    deadline = time.monotonic() + 30
    while prepared.value < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert prepared.value >= 6, f"the reading process stopped after {prepared.value} chunks"
    assert len(list(received)) == 1999
    assert multiprocessing.active_children() == []


def test_a_writer_that_stops_early_ends_the_reading_process(tmp_path, monkeypatch):
    """Leaving an import half-way (an error, Ctrl-C) stops the child, which may be waiting to send."""
    from masthead.ingest import formats, sources

    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(n) for n in range(1, 5001)])
    monkeypatch.setattr(prefetch, "PREFETCH_BYTES", 1024)
    entry = next(iter(sources.inputs([str(path)], stdin=None)))
    received = prefetch.items(formats.reader(entry, forced=None), entry,
                              then=lambda things: [(thing, "x" * 10_000) for thing in things])
    next(received)
    received.close()
    assert multiprocessing.active_children() == []
