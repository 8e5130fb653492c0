import multiprocessing

import pytest

from masthead.ingest import prefetch
from masthead.news.models import Article
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
