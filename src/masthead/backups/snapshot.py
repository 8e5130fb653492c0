"""Taking a backup while the site runs: the database in one consistent snapshot, then the media files."""

import os
import platform
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import django
from django.conf import settings
from django.db import connection

from masthead.backups import archive, postgresql, sqlite
from masthead.backups.archive import BackupError


@dataclass
class Taken:
    path: Path
    tables: int
    rows: int
    files: int
    bytes: int
    seconds: float


def take(path: Path) -> Taken:
    """Write a backup of this install's database and media files into the new folder ``path``.

    The folder appears only when the backup is complete: it is written under a temporary name
    beside it and renamed at the end, so a crash or a full disk never leaves a backup that looks
    whole. The database is copied first, then the media files: a file an image row of the
    snapshot names was written before that row, so it is there to copy.
    """
    path = Path(path).absolute()
    if path.exists():
        raise BackupError(f"{path} already exists: backups never overwrite. Give a new path, "
                          "e.g. one named for the date and time.")
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # Only the owner may read a backup: it holds password hashes and readers' email and IP addresses.
    partial = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.partial-"))
    try:
        manifest = _write(partial)
        os.rename(partial, path)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    database = manifest["database"]
    return Taken(path=path, tables=len(database["tables"]), rows=sum(database["tables"].values()),
                 files=len(manifest["media"]), bytes=database["bytes"] + sum(m["bytes"] for m in manifest["media"]),
                 seconds=time.perf_counter() - started)


def _write(folder: Path) -> dict:
    taken_at = datetime.now(timezone.utc)
    if connection.vendor == "sqlite":
        target = folder / sqlite.FILE
        described = sqlite.snapshot(database=str(connection.settings_dict["NAME"]), target=target)
    elif connection.vendor == "postgresql":
        target = folder / postgresql.FILE
        described = postgresql.snapshot(target=target)
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported: use SQLite or PostgreSQL.")
    media_root = Path(settings.MEDIA_ROOT)
    media = []
    for relative in archive.media_files(media_root):
        try:
            size, digest = archive.copy_with_sha256(media_root / relative, folder / "media" / relative)
        except FileNotFoundError:
            continue  # deleted since it was listed: the snapshot's rows no longer need it either
        media.append({"path": relative.as_posix(), "bytes": size, "sha256": digest})
    manifest = {
        "format": archive.FORMAT,
        "taken_at": taken_at.isoformat(),
        "versions": {"masthead": metadata.version("masthead"), "django": django.get_version(),
                     "python": platform.python_version(), "engine": connection.vendor,
                     "server": described["server_version"]},
        "migrations": described["migrations"],
        "database": {"file": target.name, "bytes": target.stat().st_size, "sha256": archive.sha256_of(target),
                     "tables": described["tables"]},
        "media": media,
    }
    archive.write_manifest(folder, manifest)
    return manifest
