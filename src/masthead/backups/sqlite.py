"""SQLite: snapshots through SQLite's online backup API, restores through it the other way."""

import sqlite3
from pathlib import Path

from masthead.backups.tables import applied_migrations, row_counts

FILE = "database.sqlite3"


def _tables(db: sqlite3.Connection) -> list[str]:
    # Every table, full-text indexes and their shadow tables included: all of it is the site's data.
    return [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def describe(db: sqlite3.Connection) -> dict:
    """Rows per table and migrations applied, read from an open database."""
    cursor = db.cursor()
    return {"tables": row_counts(cursor, _tables(db)), "migrations": applied_migrations(cursor),
            "server_version": sqlite3.sqlite_version}


def snapshot(*, database: str, target: Path) -> dict:
    """Copy the live database at ``database`` to ``target`` in one consistent step; describe the copy.

    One step (``pages=-1``) reads the whole database inside one read transaction: in WAL mode
    writers go on committing meanwhile, and the copy is the database as of the step's start. A
    copy made a few pages at a time would start over after every write from another connection,
    and under a steady stream of comments might never finish.
    """
    source = sqlite3.connect(database, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=-1)
        # A WAL-mode file would make a reader of the backup write -wal and -shm files beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        return describe(copy)
    finally:
        copy.close()
        source.close()


def open_backup(path: Path) -> sqlite3.Connection:
    # immutable: reading the backup takes no lock and writes nothing next to it.
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)


def restore(*, backup: Path, database: str) -> None:
    """Replace the database at ``database`` with the backup, in one transaction: all of it or none."""
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    source = open_backup(backup)
    target = sqlite3.connect(database, timeout=30)
    try:
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def current_tables(database: str) -> dict[str, int]:
    """Rows per table of the database at ``database`` (nothing if it does not exist yet)."""
    if not Path(database).exists():
        return {}
    db = sqlite3.connect(database, timeout=30)
    try:
        return row_counts(db.cursor(), _tables(db))
    finally:
        db.close()
