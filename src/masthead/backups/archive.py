"""A backup on disk: a folder holding the database, the media files, a manifest and their checksums.

    PATH/manifest.json   versions, engine, migrations applied, rows per table, every file
    PATH/SHA256SUMS      sha256 of every other file, in `sha256sum -c` format
    PATH/database.*      database.sqlite3 (SQLite) or database.pgdump (pg_dump custom format)
    PATH/media/...       the media library's files

A folder rather than one tar file: each part can be checked, copied or synced on its own, and
`cd PATH && sha256sum -c SHA256SUMS` checks it with no Masthead at hand.
"""

import hashlib
import json
import os
import shutil
from pathlib import Path

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
FORMAT = 1
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup cannot be taken or restored; the message says why and what to do."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_with_sha256(source: Path, target: Path) -> tuple[int, str]:
    """Copy one file, hashing what was written; return its size and sha256."""
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as reader, open(target, "wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
    shutil.copystat(source, target)
    return size, digest.hexdigest()


def media_files(root: Path) -> list[Path]:
    """Every file of the media library, relative to ``root``, sorted; renditions are left out.

    Renditions (``imgcache/``) are cut again from their image on the first request, so a backup
    need not carry them.
    """
    if not root.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(root):
        relative = Path(folder).relative_to(root)
        if relative == Path("."):
            dirs[:] = [d for d in dirs if d != "imgcache"]
        dirs.sort()
        found.extend(relative / name for name in sorted(files))
    return found


def write_manifest(folder: Path, manifest: dict) -> None:
    """Write the manifest, then SHA256SUMS over every file of the backup, the manifest included."""
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    sums = {MANIFEST: sha256_of(folder / MANIFEST), manifest["database"]["file"]: manifest["database"]["sha256"]}
    sums.update({f"media/{entry['path']}": entry["sha256"] for entry in manifest["media"]})
    (folder / SUMS).write_text("".join(f"{digest}  {name}\n" for name, digest in sums.items()), encoding="utf-8")


def read_verified(folder: Path) -> dict:
    """The manifest of the backup in ``folder``, after checking every file against its checksum."""
    if not folder.is_dir():
        raise BackupError(f"{folder}: no backup here (it is not a folder). Give the folder `masthead backup` wrote.")
    sums_path = folder / SUMS
    if not sums_path.is_file() or not (folder / MANIFEST).is_file():
        raise BackupError(f"{folder}: not a complete backup: {SUMS} or {MANIFEST} is missing.")
    expected = {}
    for number, line in enumerate(sums_path.read_text(encoding="utf-8").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name or name.startswith("/") or ".." in Path(name).parts:
            raise BackupError(f"{sums_path}:{number}: not a checksum line: {line[:80]!r}. The backup is damaged.")
        expected[name] = digest
    if MANIFEST not in expected:
        raise BackupError(f"{sums_path}: the manifest has no checksum. The backup is damaged.")
    for name, digest in expected.items():
        path = folder / name
        if path.is_symlink():
            # A link could make a restore copy any file of this machine into the media folder.
            raise BackupError(f"{folder}: {name} is a symbolic link; a backup holds only plain files. "
                              "The backup is damaged or was tampered with.")
        if not path.is_file():
            raise BackupError(f"{folder}: {name} is missing. The backup is damaged; restore another one.")
        found = sha256_of(path)
        if found != digest:
            raise BackupError(f"{folder}: {name} does not match its checksum (sha256 {found}, expected {digest}). "
                              "The backup is damaged; restore another one.")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except ValueError as error:
        raise BackupError(f"{folder / MANIFEST}: not valid JSON ({error}). The backup is damaged.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder / MANIFEST}: backup format {manifest.get('format')!r}; this version of Masthead "
                          f"reads format {FORMAT}. Restore it with the version that took it.")
    _check_shape(manifest, folder / MANIFEST)
    listed = {manifest["database"]["file"], *(f"media/{entry['path']}" for entry in manifest["media"])}
    if listed - set(expected):
        raise BackupError(f"{folder}: {sorted(listed - set(expected))[0]} is in the manifest but has no checksum. "
                          "The backup is damaged.")
    return manifest


def _check_shape(manifest: dict, where: Path) -> None:
    parts = {"versions": dict, "migrations": list, "database": dict, "media": list}
    for key, kind in parts.items():
        if not isinstance(manifest.get(key), kind):
            raise BackupError(f"{where}: the manifest has no {key!r} {kind.__name__}. The backup is damaged.")
    for key in ("engine", "masthead"):
        if not isinstance(manifest["versions"].get(key), str):
            raise BackupError(f"{where}: the manifest names no {key} version. The backup is damaged.")
    for key, kind in (("file", str), ("sha256", str), ("tables", dict)):
        if not isinstance(manifest["database"].get(key), kind):
            raise BackupError(f"{where}: the manifest's database has no {key!r}. The backup is damaged.")
    for number, entry in enumerate(manifest["media"], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise BackupError(f"{where}: media entry {number} has no path. The backup is damaged.")
