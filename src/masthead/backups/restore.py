"""Restoring a backup into an empty install, after checking that it is whole and fits this install."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader

from masthead.backups import archive, postgresql, sqlite
from masthead.backups.archive import BackupError


@dataclass
class Restored:
    tables: int
    rows: int
    files: int
    seconds: float
    migrated: list[str] = field(default_factory=list)


def restore(path: Path, *, replace: bool = False) -> Restored:
    """Bring the backup in ``path`` into this install; refuse, changing nothing, when it cannot fit.

    Refused: a damaged backup (a checksum differs, a file is missing), one from the other database
    engine, one with migrations this version does not know, and, unless ``replace``, an install
    that is not empty.
    """
    started = time.perf_counter()
    folder = Path(path).absolute()
    manifest = archive.read_verified(folder)
    _check_engine(manifest)
    newer = _check_migrations(manifest)
    media_root = Path(settings.MEDIA_ROOT)
    if not replace:
        _check_empty(media_root)
    staged = _stage_media(folder, manifest, media_root)
    try:
        database = folder / manifest["database"]["file"]
        if connection.vendor == "sqlite":
            connections.close_all()
            sqlite.restore(backup=database, database=str(connection.settings_dict["NAME"]))
        else:
            postgresql.restore(backup=database)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    _swap_media(staged, media_root)
    connections.close_all()
    counts = _current_tables()
    different = {t: (n, counts.get(t)) for t, n in manifest["database"]["tables"].items() if counts.get(t) != n}
    if different:
        table, (expected, found) = sorted(different.items())[0]
        raise BackupError(f"The restored database differs from the backup's manifest: {table} holds {found} rows, "
                          f"the manifest says {expected} ({len(different)} table(s) differ).")
    if newer:
        call_command("migrate", interactive=False, verbosity=0)
    # Pages and counters cached for the site that was replaced must not be served for this one.
    cache.clear()
    return Restored(tables=len(counts), rows=sum(manifest["database"]["tables"].values()),
                    files=len(manifest["media"]), seconds=time.perf_counter() - started, migrated=newer)


def _check_engine(manifest: dict) -> None:
    engine = manifest["versions"]["engine"]
    if engine != connection.vendor:
        raise BackupError(
            f"This backup was taken on {engine}; this install's database is {connection.vendor}. A backup restores "
            f"into the engine it came from: point MASTHEAD_DATABASE_URL at a {engine} database, restore there, "
            "and move between engines as docs/cli.md describes.")


def _check_migrations(manifest: dict) -> list[str]:
    """Refuse a backup with migrations this version does not have; return this version's newer ones."""
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    taken = set(manifest["migrations"])
    unknown = sorted(taken - known)
    if unknown:
        raise BackupError(
            f"This backup's database has {len(unknown)} migration(s) this version of Masthead does not have "
            f"({', '.join(unknown[:5])}{', …' if len(unknown) > 5 else ''}): it was taken by Masthead "
            f"{manifest['versions']['masthead']}. Restore it with that version or a later one.")
    return sorted(known - taken)


def _current_tables() -> dict[str, int]:
    if connection.vendor == "sqlite":
        return sqlite.current_tables(str(connection.settings_dict["NAME"]))
    return postgresql.current_tables()


def _check_empty(media_root: Path) -> None:
    """Refuse an install that holds anything beyond what ``masthead migrate`` writes into a new database."""
    files = archive.media_files(media_root)
    rows = {table: count for table, count in _current_tables().items() if count}
    if rows:
        fresh = _fresh_install_counts()
        rows = {table: count for table, count in rows.items() if count > fresh.get(table, 0)}
    if rows or files:
        held = [f"{table} holds {count:,} row(s)" for table, count in sorted(rows.items())[:3]]
        if files:
            held.append(f"{media_root} holds {len(files):,} file(s)")
        raise BackupError(f"This install is not empty ({'; '.join(held)}): nothing was changed. Restore into a new "
                          "database and MASTHEAD_VAR_DIR, or pass --replace to replace all of it with the backup.")


def _fresh_install_counts() -> dict[str, int]:
    # What migrations write themselves (roles, permissions, content types) is learnt by migrating
    # a scratch database, so the test holds whatever migrations other apps add.
    with tempfile.TemporaryDirectory(prefix="masthead-fresh-") as scratch:
        database = Path(scratch) / "fresh.sqlite3"
        env = {**os.environ, "MASTHEAD_DATABASE_URL": f"sqlite:///{database}", "MASTHEAD_VAR_DIR": scratch}
        done = subprocess.run([sys.executable, "-m", "masthead.cli", "migrate", "--noinput", "-v0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode:
            raise BackupError(f"Could not migrate a scratch database to tell whether this install is empty: "
                              f"{done.stdout.strip()[-1000:]}")
        return sqlite.current_tables(str(database))


def _stage_media(folder: Path, manifest: dict, media_root: Path) -> Path:
    # Staged beside MEDIA_ROOT (same file system), then renamed into place once the database is in.
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(dir=media_root.parent, prefix=f".{media_root.name}.restoring-"))
    try:
        for entry in manifest["media"]:
            archive.copy_with_sha256(folder / "media" / entry["path"], staged / entry["path"])
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    os.chmod(staged, 0o755)
    return staged


def _swap_media(staged: Path, media_root: Path) -> None:
    # Renditions of the images replaced go with them; they are cut again on request.
    old = None
    if media_root.exists():
        old = media_root.with_name(f".{media_root.name}.replaced-{os.getpid()}")
        os.rename(media_root, old)
    os.rename(staged, media_root)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
