import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from masthead.ingest.models import ImportRevision, SourceRecord
from masthead.stories import bulk, changes
from masthead.news.models import Article, Section, Tag
from tests.ingest.factories import FIXTURE, SAMPLES, ninjs_story, run_import, write_jsonl
from tests.news.factories import make_article
from tests.stories.factories import SYSTEM


@pytest.mark.django_db
def test_importing_twice_changes_nothing_the_second_time():
    first = run_import(SAMPLES)
    counts = (Article.objects.count(), Tag.objects.count(), SourceRecord.objects.count(), Section.objects.count())
    second = run_import(SAMPLES)
    assert "0 created, 0 updated" in second.stdout
    assert (Article.objects.count(), Tag.objects.count(), SourceRecord.objects.count(), Section.objects.count()) == counts
    created = int(first.stdout.split("Imported: ")[1].split(" created")[0])
    assert f"{created} unchanged" in second.stdout


@pytest.mark.django_db
def test_a_changed_item_updates_its_article_and_keeps_a_revision(tmp_path):
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1)])
    run_import(path)
    article = Article.objects.get()
    write_jsonl(path, [ninjs_story(1, headline="Wire story 1, corrected", subject=[{"name": "Gas"}])])
    result = run_import(path)
    assert "0 created, 1 updated" in result.stdout
    article.refresh_from_db()
    assert Article.objects.count() == 1
    assert article.headline == "Wire story 1, corrected"
    assert article.slug == "wire-story-1"  # the address stays as it was
    assert list(article.tags.values_list("name", flat=True)) == ["Gas"]
    revision = ImportRevision.objects.get(article=article)
    assert revision.fields["headline"] == "Wire story 1"
    assert sorted(revision.fields["tags"]) == ["Iraq", "Oil", "Trade"]


@pytest.mark.django_db
def test_a_news_id_already_in_the_paper_is_updated_not_duplicated():
    section = Section.objects.create(name="Politics", slug="politics")
    changes.create(Article(id=302104, headline="Old headline", body="Old.", section=section), by=SYSTEM)
    result = run_import(FIXTURE)
    assert "0 created, 1 updated" in result.stdout
    assert Article.objects.get(pk=302104).headline.startswith("‘Leave the region")


@pytest.mark.django_db
def test_new_stories_are_numbered_above_the_highest_news_id(tmp_path):
    """Imported News IDs are kept; stories without one, and later newsroom stories, continue above them."""
    run_import(FIXTURE)
    run_import(write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1), ninjs_story(2)]))
    wire_ids = sorted(Article.objects.exclude(pk=302104).values_list("pk", flat=True))
    # Above it, in order (PostgreSQL's sequence only moves forward: numbers taken by earlier tests are skipped).
    assert len(wire_ids) == 2 and 302104 < wire_ids[0] < wire_ids[1]
    assert make_article().pk > wire_ids[1]


@pytest.mark.django_db
@pytest.mark.postgresql_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite numbers above the highest row itself")
def test_new_stories_are_numbered_above_the_highest_news_id_when_the_sequence_was_left_behind(tmp_path):
    """Stories written by other means than Masthead's (SQL, a partial restore) can leave PostgreSQL's
    sequence below the highest News ID: an import numbers its new stories above them all the same."""
    make_article(pk=5000)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('news_article', 'id'), 1, false)")
    result = run_import(write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1), ninjs_story(2)]))
    assert "2 created" in result.stdout and result.returncode == 0
    assert sorted(Article.objects.values_list("pk", flat=True)) == [5000, 5001, 5002]
    assert make_article().pk == 5003


@pytest.mark.django_db
@pytest.mark.postgresql_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite numbers above the highest row itself")
def test_an_import_never_moves_the_sequence_back_under_a_number_taken(tmp_path):
    """A story the newsroom has just numbered, not yet committed, is above every stored News ID: neither
    the import's numbering nor its reset at the end may hand that number out again."""
    make_article(pk=5000)
    with connection.cursor() as cursor:  # numbers up to 9000 handed out, none committed yet
        cursor.execute("SELECT setval(pg_get_serial_sequence('news_article', 'id'), 9000)")
    run_import(write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1), ninjs_story(2)]))
    assert sorted(Article.objects.values_list("pk", flat=True)) == [5000, 9001, 9002]
    with connection.cursor() as cursor:  # and again, between the import's numbering and its reset at the end
        cursor.execute("SELECT setval(pg_get_serial_sequence('news_article', 'id'), 9500)")
    bulk.reset_sequence()
    assert make_article().pk == 9501


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_reports_what_would_happen():
    result = run_import(SAMPLES, dry_run=True)
    assert result.stdout.startswith("Dry run, nothing written: would have 11 created")
    assert Article.objects.count() == 0 and SourceRecord.objects.count() == 0
    assert Section.objects.count() == 0 and Tag.objects.count() == 0
    assert run_import(SAMPLES).stdout.startswith("Imported: 11 created")


@pytest.mark.django_db
def test_status_draft_imports_everything_for_review():
    run_import(SAMPLES / "wire.jsonl", status="draft")
    assert set(Article.objects.values_list("status", flat=True)) == {"draft"}
    assert not Article.objects.visible().exists()


@pytest.mark.django_db
def test_strict_stops_at_the_first_failure(tmp_path):
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1), {"uri": "u2"}, ninjs_story(3)])
    result = run_import(path, strict=True)
    assert result.returncode == 1
    assert "stopped at the first failure (--strict)" in result.stderr
    assert "1 created, 0 updated, 0 unchanged, 0 skipped, 1 failed" in result.stdout
    assert list(Article.objects.values_list("headline", flat=True)) == ["Wire story 1"]


@pytest.mark.django_db
def test_the_same_story_twice_in_one_file_is_created_then_updated(tmp_path):
    stories = [ninjs_story(1), ninjs_story(2, altids={"newsid": "302104"}),
               ninjs_story(3, altids={"newsid": "302104"}, uri="urn:other"), ninjs_story(1, headline="One again")]
    result = run_import(write_jsonl(tmp_path / "wire.jsonl", stories))
    assert "2 created, 2 updated" in result.stdout
    assert Article.objects.get(pk=302104).headline == "Wire story 3"
    assert Article.objects.filter(headline="One again").count() == 1


@pytest.mark.django_db
def test_an_item_refused_while_its_batch_is_written_fails_alone(tmp_path):
    """The batch is rolled back and written again item by item: only the item at fault fails, by name."""
    run_import(write_jsonl(tmp_path / "first.jsonl", [ninjs_story(3, altids={"newsid": "302104"})]))
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1), ninjs_story(3, altids={"newsid": "302999"}), ninjs_story(5)])
    result = run_import(path)
    assert result.returncode == 1
    assert f"failed: {path}:2: was imported before as News ID 302104, now says News ID 302999" in result.stderr
    assert "2 created, 0 updated, 0 unchanged, 0 skipped, 1 failed" in result.stdout
    assert sorted(Article.objects.values_list("headline", flat=True)) == ["Wire story 1", "Wire story 3", "Wire story 5"]


@pytest.mark.django_db
def test_a_headline_too_long_for_the_paper_is_reported(tmp_path):
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1, headline="x" * 300), ninjs_story(2)])
    result = run_import(path)
    assert f"failed: {path}:1: headline is 300 characters, more than 250" in result.stderr
    assert "1 created" in result.stdout and result.returncode == 1


def test_progress_is_plain_lines_when_not_a_terminal(tmp_path):
    import io

    from masthead.ingest.progress import Progress

    out = io.StringIO()
    progress = Progress(out, total_bytes=1000, tty=False, every=0)
    progress.update(items=10, done_bytes=500)
    line = out.getvalue().splitlines()[0]
    assert line.startswith("[############------------]  50%  10 items  ") and line.endswith(" left")
    assert "\r" not in out.getvalue()
    tty = io.StringIO()
    Progress(tty, total_bytes=1000, tty=True, every=0).update(items=10, done_bytes=500)
    assert tty.getvalue().startswith("\r\x1b[K[############")


# -- interrupted runs: a real subprocess against the test database -------------------------------

def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def _start_import(path: Path) -> subprocess.Popen:
    env = {**os.environ, "MASTHEAD_DATABASE_URL": _database_url()}
    # As from a terminal: a suite started in the background inherits SIGINT ignored, and Python
    # then never turns Ctrl-C into KeyboardInterrupt.
    return subprocess.Popen([sys.executable, "-m", "masthead.cli", "import", "--no-progress", str(path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_first_batch(process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while Article.objects.count() == 0:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the import wrote nothing in two minutes"
        time.sleep(0.005)


def _assert_whole_stories_only(total: int) -> int:
    stored = Article.objects.count()
    assert 0 < stored < total, "the run was not stopped half-way"
    assert SourceRecord.objects.count() == stored
    through = Article.tags.through.objects
    assert through.count() == 3 * stored  # every story with all three of its tags
    assert Article.authors.through.objects.count() == stored
    return stored


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_half_way_leaves_no_half_written_story(tmp_path):
    """SIGKILL mid-run: whole stories or none; a second run brings in the rest and nothing twice."""
    total = 5_000  # five batches: the first is written long before the last
    path = write_jsonl(tmp_path / "wire.jsonl", (ninjs_story(n) for n in range(1, total + 1)))
    process = _start_import(path)
    _wait_for_first_batch(process)
    process.kill()
    process.wait()
    stored = _assert_whole_stories_only(total)
    result = run_import(path)
    assert f"{total - stored:,} created, 0 updated, {stored:,} unchanged" in result.stdout
    assert Article.objects.count() == total


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_half_way_rolls_back_the_batch_and_says_so(tmp_path):
    total = 5_000  # five batches: the first is written long before the last
    path = write_jsonl(tmp_path / "wire.jsonl", (ninjs_story(n) for n in range(1, total + 1)))
    process = _start_import(path)
    _wait_for_first_batch(process)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stdout.startswith("Interrupted: ") and "rolled back" in stdout
    _assert_whole_stories_only(total)


@pytest.mark.django_db(transaction=True)
def test_an_import_tells_the_websub_hub_of_each_changed_feed_once(settings, tmp_path):
    from masthead.syndication import websub
    from tests.syndication.hub import drain, hub

    with hub() as (url, received):
        settings.WEBSUB_HUB = url
        run_import(write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1), ninjs_story(2)]))
        expected = set(websub.topics(Article.objects.first())) | set(websub.topics(Article.objects.last()))
        notes = drain(received, len(expected))
        assert sorted(note["hub.url"][0] for note in notes) == sorted(expected)  # each feed once
        assert received.empty()


@pytest.mark.django_db
def test_a_section_an_import_makes_joins_the_navigation_of_pages_already_cached(client, tmp_path,
                                                                                 django_capture_on_commit_callbacks):
    """``masthead import`` makes sections through stories.taxonomy: cached pages of other stories list it at once."""
    story = make_article()
    client.get(story.get_absolute_url())
    assert client.get(story.get_absolute_url())["X-Cache"] == "hit"
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1, subject=[{"name": "Energy", "scheme": "masthead:section"}])])
    with django_capture_on_commit_callbacks(execute=True):
        assert "1 created" in run_import(path).stdout
    page = client.get(story.get_absolute_url())
    assert page["X-Cache"] == "miss" and '<a href="/section/energy/">Energy</a>' in page.content.decode()
