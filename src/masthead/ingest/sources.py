"""Where imports read from: files, folders (recursively), ``.zip`` archives and standard input.

Everything is read with limits, so a hostile or broken input is refused with a message instead of
filling memory: a whole document is at most ``MAX_DOCUMENT_BYTES``, a line of JSON lines at most
``MAX_LINE_BYTES``, and a zip entry may neither leave its folder nor inflate past the limits.
"""

import io
import os
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable

from masthead.ingest.items import ImportFailed

MAX_DOCUMENT_BYTES = 256 * 1024 * 1024  # one XML, JSON or HTML document read whole
MAX_LINE_BYTES = 16 * 1024 * 1024  # one item of JSON lines
MAX_ZIP_BYTES = 8 * 1024 * 1024 * 1024  # everything in one archive, uncompressed
MAX_ZIP_RATIO = 200  # deflate reaches ~1000:1 only on data built to do so (a "zip bomb")
MAX_ZIP_ENTRIES = 1_000_000
CHUNK = 1024 * 1024


@dataclass
class Input:
    """One readable thing: a file, a zip entry, or standard input."""

    name: str  # as shown in messages: "old-site.zip/News/302104.txt"
    size: int | None  # in bytes, when known in advance
    opener: Callable[[], BinaryIO] = field(repr=False)
    position: int = 0  # bytes consumed so far, for the progress bar

    def open(self) -> BinaryIO:
        return self.opener()

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()

    def head(self, size: int = 4096) -> bytes:
        with self.open() as stream:
            return stream.read(size)

    def read_all(self, *, limit: int | None = None) -> bytes:
        """The whole input, or ImportFailed when it is larger than ``limit``."""
        limit = limit or MAX_DOCUMENT_BYTES
        if self.size is not None and self.size > limit:
            raise ImportFailed(self.name, f"is {_size(self.size)}, more than the {_size(limit)} a document may have")
        with self.open() as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise ImportFailed(self.name, f"is more than the {_size(limit)} a document may have")
        self.position = len(data)
        return data

    def lines(self, *, limit: int | None = None) -> Iterator[tuple[int, bytes | ImportFailed]]:
        """``(line number, line)`` pairs; a line longer than ``limit`` comes as ImportFailed and is skipped."""
        limit = limit or MAX_LINE_BYTES
        with self.open() as stream:
            number = 0
            while True:
                line = stream.readline(limit + 1)
                if not line:
                    return
                number += 1
                self.position += len(line)
                if len(line) > limit and not line.endswith(b"\n"):
                    # Skip the rest of the overlong line a chunk at a time, never holding it whole.
                    while True:
                        rest = stream.readline(CHUNK)
                        self.position += len(rest)
                        if not rest or rest.endswith(b"\n"):
                            break
                    yield number, ImportFailed(f"{self.name}:{number}", f"line is longer than {_size(limit)}: skipped")
                    continue
                yield number, line


def _size(count: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count} bytes"


def inputs(paths: list[str], *, stdin: BinaryIO | None = None) -> Iterator[Input | ImportFailed]:
    """Every input named by ``paths``: files, folders walked in name order, zip entries; ``-`` is stdin."""
    for path in paths:
        if path == "-":
            yield from _stdin(stdin if stdin is not None else sys.stdin.buffer)
            continue
        where = Path(path)
        if where.is_dir():
            for root, dirs, files in os.walk(where):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield from _file(Path(root) / name)
        elif where.is_file():
            yield from _file(where)
        else:
            yield ImportFailed(path, "no such file or folder")


def _file(path: Path) -> Iterator[Input | ImportFailed]:
    if path.suffix.lower() == ".zip":
        yield from _zip(str(path), str(path))
        return
    yield Input(name=str(path), size=path.stat().st_size, opener=lambda: open(path, "rb"))


def _stdin(stream: BinaryIO) -> Iterator[Input | ImportFailed]:
    # Standard input can be read once only: keep it in a temporary file, so that it can be sniffed,
    # then read, and a zip on stdin can be opened like any other. The file is deleted when the
    # last reference to ``spool`` goes.
    spool = tempfile.NamedTemporaryFile(prefix="masthead-import-")
    copied = 0
    while chunk := stream.read(CHUNK):
        copied += len(chunk)
        if copied > MAX_ZIP_BYTES:
            yield ImportFailed("-", f"standard input is more than {_size(MAX_ZIP_BYTES)}")
            return
        spool.write(chunk)
    spool.flush()
    with open(spool.name, "rb") as peek:
        is_zip = peek.read(4) == b"PK\x03\x04"
    if is_zip:
        yield from _zip("-", spool.name)  # the archive keeps its own handle on the file
    else:
        yield Input(name="-", size=copied, opener=lambda: open(spool.name, "rb"))


def _zip(name: str, file) -> Iterator[Input | ImportFailed]:
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as error:
        yield ImportFailed(name, f"is not a readable zip archive ({error})")
        return
    entries = [info for info in archive.infolist() if not info.is_dir()]
    if len(entries) > MAX_ZIP_ENTRIES:
        yield ImportFailed(name, f"has {len(entries):,} entries, more than {MAX_ZIP_ENTRIES:,}: refused")
        return
    declared = sum(info.file_size for info in entries)
    if declared > MAX_ZIP_BYTES:
        yield ImportFailed(name, f"would inflate to {_size(declared)}, more than {_size(MAX_ZIP_BYTES)}: refused")
        return
    for info in sorted(entries, key=lambda info: info.filename):
        entry = f"{name}/{info.filename}"
        reason = _unsafe_entry(info)
        if reason:
            yield ImportFailed(entry, reason)
            continue
        if PurePosixPath(info.filename).name.startswith(".") or "__MACOSX" in info.filename:
            continue
        if info.filename.lower().endswith(".zip"):
            yield ImportFailed(entry, "zip archives inside zip archives are not opened: unpack it first")
            continue
        yield Input(name=entry, size=info.file_size, opener=lambda info=info: io.BufferedReader(_Capped(archive.open(info), info), CHUNK))


def _unsafe_entry(info: zipfile.ZipInfo) -> str:
    path = info.filename.replace("\\", "/")
    parts = PurePosixPath(path).parts
    if path.startswith("/") or (len(path) > 1 and path[1] == ":") or ".." in parts:
        return "entry would escape the archive's folder: refused"
    if info.external_attr >> 16 & 0o170000 == 0o120000:
        return "entry is a symbolic link: refused"
    if info.compress_size and info.file_size > 1024 * 1024 and info.file_size / info.compress_size > MAX_ZIP_RATIO:
        return (f"entry inflates {info.file_size / info.compress_size:,.0f} times "
                f"(to {_size(info.file_size)}): refused as a zip bomb")
    return ""


class _Capped(io.RawIOBase):
    """A zip entry that cannot yield more bytes than its header declared (a lying header is caught)."""

    def __init__(self, stream, info: zipfile.ZipInfo):
        self._stream = stream
        self._left = info.file_size

    def readable(self):
        return True

    def readinto(self, buffer):
        if self._left <= 0:
            if self._stream.read(1):
                raise ImportFailed(self._stream.name, "entry holds more than its header declares: refused")
            return 0
        data = self._stream.read(min(len(buffer), self._left))
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)

    def close(self):
        self._stream.close()
        super().close()
