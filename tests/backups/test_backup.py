"""`masthead backup` and `masthead restore`: a consistent online snapshot that restores whole, or not at all."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection

from masthead.backups import archive
from masthead.comments.models import Comment
from masthead.news.models import Article
from tests import servers
from tests.conftest import need
from tests.backups.factories import (CommentFlood, fresh_install, masthead, open_database, rewrite_manifest, rows)
from tests.comments.factories import make_comment, set_mode
from tests.ingest.factories import ninjs_story, write_jsonl
from tests.media.factories import image_bytes, make_image
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)

# Rows the running site may rewrite or delete after the snapshot, so the live database need not
# still hold the snapshot's version: a Security Key is deleted when its post is checked; SQLite's
# sequences move with every insert, and its full-text index merges its segments as it grows.
# Their row counts are still checked against the manifest.
REWRITTEN = {"comments_challenge", "sqlite_sequence", "search_fts_data", "search_fts_idx"}
# Columns the site fills in later: an import stopped early chooses its stories' related stories
# as it ends, after the snapshot took them without.
LATER = {"news_article": {"related_ids"}}


def _live_tables() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return [name for (name,) in cursor.fetchall()]
        return connection.introspection.table_names(cursor)


def _wait_until(condition, what: str, *, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.05)


def test_a_backup_taken_during_a_comment_flood_and_an_import_restores_every_row_and_file(tmp_path, settings):
    """Taken while readers post comments over HTTP and an import writes in another process, the backup
    restores into a fresh database of the same engine with every row and every media file."""
    settings.MEDIA_ROOT = tmp_path / "site-media"
    stories = [make_article() for _ in range(3)]
    for story in stories:
        set_mode(story, "open")
    make_image(data=image_bytes(color=(10, 120, 200)))
    make_image(data=image_bytes("PNG", color=(250, 200, 0)))
    wire = write_jsonl(tmp_path / "wire.jsonl", (ninjs_story(n) for n in range(900_001, 920_001)))
    database_url = servers.database_url(connection.settings_dict)
    env = {"MASTHEAD_DATABASE_URL": database_url, "MASTHEAD_CAPTCHA_TEST_HOOK": "1",
           "MASTHEAD_COMMENT_RATE_PER_IP": "100000/60", "MASTHEAD_COMMENT_RATE_PER_ARTICLE": "100000/60",
           "MASTHEAD_CAPTCHA_KEYS_PER_IP": "100000/60", "MASTHEAD_VAR_DIR": str(settings.VAR_DIR)}
    backup = tmp_path / "backups" / "nightly"
    with servers.app_server(env) as base:
        flood = CommentFlood(base, [story.pk for story in stories])
        flood.start()
        importing = None
        try:
            _wait_until(lambda: Comment.objects.count() >= 5, "five flood comments")
            importing = subprocess.Popen([sys.executable, "-m", "masthead.cli", "import", "--no-progress", str(wire)],
                                         env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True)
            _wait_until(lambda: Article.objects.count() > 3, "the import's first batch")
            comments_before = Comment.objects.count()
            call_command("backup", str(backup), stdout=open(os.devnull, "w"))
            comments_after = Comment.objects.count()
            assert importing.poll() is None, "the import ended before the backup: it did not run during it"
            _wait_until(lambda: Comment.objects.count() > comments_after + 3, "comments after the backup")
        finally:
            flood.stop()
            if importing is not None:
                importing.terminate()  # as a kill does: the batch being written is rolled back whole
                importing.communicate(timeout=600)
    assert flood.failures == [], flood.failures[:3]

    manifest = archive.read_verified(backup)
    counted = manifest["database"]["tables"]
    assert comments_before <= counted["comments_comment"] <= comments_after
    assert 3 < counted["news_article"] < 3 + 20_000, "the snapshot holds part of the import, in whole batches"
    assert counted["ingest_sourcerecord"] == counted["news_article"] - 3
    assert counted["news_article_tags"] == 3 * counted["ingest_sourcerecord"]
    assert set(counted) == set(_live_tables())
    assert manifest["versions"]["engine"] == connection.vendor
    assert "comments.0001_initial" in manifest["migrations"]
    assert oct(backup.stat().st_mode & 0o777) == "0o700"

    with fresh_install(tmp_path) as target:
        restored = masthead("restore", str(backup), env=target)
        assert restored.returncode == 0, restored.stderr
        assert "every table's rows match the manifest" in restored.stdout
        site = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict)}
        with open_database(target) as db, open_database(site) as live_db:
            for table, count in counted.items():
                restored_rows = rows(db, table, without=LATER.get(table, ()))
                assert len(restored_rows) == count, table
                if table not in REWRITTEN:
                    live = set(rows(live_db, table, without=LATER.get(table, ())))
                    missing = [row for row in restored_rows if row not in live]
                    assert missing == [], f"{table}: {len(missing)} restored rows differ from the site's, e.g. {missing[:1]}"
        media_root = Path(target["MASTHEAD_VAR_DIR"]) / "media"
        restored_files = sorted(p.relative_to(media_root).as_posix() for p in media_root.rglob("*") if p.is_file())
        assert restored_files == [entry["path"] for entry in manifest["media"]]
        assert len(restored_files) == 2
        for name in restored_files:
            assert (media_root / name).read_bytes() == (Path(settings.MEDIA_ROOT) / name).read_bytes(), name


@pytest.fixture
def small_backup(tmp_path, settings) -> Path:
    settings.MEDIA_ROOT = tmp_path / "site-media"
    story = make_article(headline="Kept in the backup")
    make_comment(story)
    make_image()
    path = tmp_path / "backup"
    call_command("backup", str(path), stdout=open(os.devnull, "w"))
    return path


def _assert_untouched(target: dict) -> None:
    with open_database(target) as db:
        cursor = db.cursor()
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        else:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchone()[0] == 0, "the refused restore changed the target database"
    assert not (Path(target["MASTHEAD_VAR_DIR"]) / "media").exists(), "the refused restore wrote media files"


def test_a_damaged_database_file_is_refused_and_nothing_is_restored(small_backup, tmp_path):
    """One changed byte in the database file: the restore names the file and restores nothing."""
    database = small_backup / manifest_file(small_backup)
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database.write_bytes(bytes(data))
    with fresh_install(tmp_path) as target:
        refused = masthead("restore", str(small_backup), env=target)
        assert refused.returncode == 1
        assert f"{database.name} does not match its checksum" in refused.stderr
        assert "The backup is damaged; restore another one." in refused.stderr
        _assert_untouched(target)


def manifest_file(folder: Path) -> str:
    return archive.read_verified(folder)["database"]["file"]


def test_a_missing_media_file_is_refused(small_backup, tmp_path):
    """A media file the manifest lists but the backup lacks is named in the refusal."""
    name = archive.read_verified(small_backup)["media"][0]["path"]
    (small_backup / "media" / name).unlink()
    with fresh_install(tmp_path) as target:
        refused = masthead("restore", str(small_backup), env=target)
        assert refused.returncode == 1
        assert f"media/{name} is missing. The backup is damaged" in refused.stderr
        _assert_untouched(target)


def test_a_backup_from_the_other_engine_is_refused(small_backup, tmp_path):
    """A backup taken on the other engine is refused with a message saying which engine it needs."""
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    rewrite_manifest(small_backup, lambda m: m["versions"].update(engine=other))
    with fresh_install(tmp_path) as target:
        refused = masthead("restore", str(small_backup), env=target)
        assert refused.returncode == 1
        assert (f"This backup was taken on {other}; this install's database is {connection.vendor}. "
                "A backup restores into the engine it came from") in refused.stderr
        _assert_untouched(target)


def test_a_backup_with_migrations_this_version_lacks_is_refused(small_backup, tmp_path):
    """A backup from a newer Masthead (a migration unknown here) is refused, naming the migration."""
    rewrite_manifest(small_backup, lambda m: m["migrations"].append("news.9999_from_the_future"))
    with fresh_install(tmp_path) as target:
        refused = masthead("restore", str(small_backup), env=target)
        assert refused.returncode == 1
        assert ("This backup's database has 1 migration(s) this version of Masthead does not have "
                "(news.9999_from_the_future)") in refused.stderr
        _assert_untouched(target)


def test_a_non_empty_install_is_refused_unless_replace_is_given(small_backup):
    """Restoring over a site with stories is refused and changes nothing; --replace brings the backup back
    whole and empties the cache of the site it replaced."""
    make_article(headline="Written after the backup")
    with pytest.raises(CommandError, match=r"This install is not empty \(.*news_article holds 2 row\(s\).*: "
                                           r"nothing was changed\. .* or pass --replace"):
        call_command("restore", str(small_backup))
    assert Article.objects.filter(headline="Written after the backup").exists()
    cache.set("page:/", "the home page of the site that is being replaced")
    call_command("restore", str(small_backup), replace=True, stdout=open(os.devnull, "w"))
    assert list(Article.objects.values_list("headline", flat=True)) == ["Kept in the backup"]
    assert Comment.objects.count() == 1
    assert cache.get("page:/") is None, "pages cached for the replaced site must not be served"


def test_a_backup_never_overwrites_an_existing_path(small_backup):
    """An existing path is refused, so a nightly job cannot write over last night's backup."""
    with pytest.raises(CommandError, match=f"{small_backup} already exists: backups never overwrite"):
        call_command("backup", str(small_backup))


def test_a_migrated_new_database_counts_as_empty(small_backup, tmp_path):
    """A new database on which `masthead migrate` has run holds only what migrations write: the restore goes ahead."""
    with fresh_install(tmp_path) as target:
        migrated = masthead("migrate", "--noinput", "-v0", env=target)
        assert migrated.returncode == 0, migrated.stderr
        restored = masthead("restore", str(small_backup), env=target)
        assert restored.returncode == 0, restored.stderr
        with open_database(target) as db:
            (story,) = rows(db, "news_article")
            assert "'Kept in the backup'" in story


def test_a_symbolic_link_in_a_backup_is_refused(small_backup, tmp_path):
    """A backup whose media file is a link elsewhere is refused: a restore copies only the backup's own files."""
    name = archive.read_verified(small_backup)["media"][0]["path"]
    secret = tmp_path / "secret.txt"
    secret.write_bytes((small_backup / "media" / name).read_bytes())
    (small_backup / "media" / name).unlink()
    (small_backup / "media" / name).symlink_to(secret)
    with fresh_install(tmp_path) as target:
        refused = masthead("restore", str(small_backup), env=target)
        assert refused.returncode == 1
        assert f"media/{name} is a symbolic link; a backup holds only plain files." in refused.stderr
        _assert_untouched(target)


@pytest.mark.sqlite_only
def test_the_documented_move_from_sqlite_to_postgresql_carries_every_story_and_comment(tmp_path, settings):
    """The move between engines that docs/cli.md gives (dumpdata, migrate, loaddata, rebuild the
    search index) brings a SQLite site's stories and comments into a new PostgreSQL database."""
    if servers.postgres_bin() is None:
        need("PostgreSQL", "apt-get install postgresql")
    settings.MEDIA_ROOT = tmp_path / "site-media"
    stories = [make_article(headline=f"Moving story {n}") for n in range(3)]
    make_comment(stories[0])
    site = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict)}
    dump = tmp_path / "site.json.gz"
    dumped = masthead("dumpdata", "--natural-foreign", "--exclude", "contenttypes", "--exclude", "auth.permission",
                      "--exclude", "sessions", "-o", str(dump), env=site)
    assert dumped.returncode == 0, dumped.stderr
    with servers.postgres() as url:
        target = {"MASTHEAD_DATABASE_URL": url, "MASTHEAD_VAR_DIR": str(tmp_path / "pg-var")}
        for step in (["migrate", "--noinput", "-v0"], ["loaddata", str(dump)], ["rebuild_search_index"]):
            done = masthead(*step, env=target)
            assert done.returncode == 0, f"{step[0]}: {done.stderr}"
        with open_database(target) as db:
            assert sorted(row[3] for row in rows(db, "news_article")) == sorted(repr(s.headline) for s in stories)
            assert len(rows(db, "comments_comment")) == 1
            cursor = db.cursor()
            cursor.execute("SELECT count(*) FROM search_document")
            assert cursor.fetchone()[0] == 3
