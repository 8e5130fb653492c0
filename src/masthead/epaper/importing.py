"""Import a printed issue from its PDF (or a folder of page PDFs): split, render, read, store.

All or nothing: the pages are split and rendered into a staging folder first; the folder is moved
into place and the issue written in one transaction; if anything fails, the new folder is removed
and the issue that was there before is untouched. The same import twice changes nothing.
"""

import datetime as dt
import hashlib
import io
import multiprocessing
import os
import re
import shutil
import uuid
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from masthead.delivery.purge import purge_on_commit
from masthead.epaper.models import Issue, Page
from masthead.epaper.printed import story_keys, story_keys_of_issue
from masthead.epaper.rendering import render_page

if TYPE_CHECKING:
    from pypdf import PdfReader

ARCHIVE_KEY = "epaper-archive"
# PDF readers accept up to 1 KiB of junk before the header (PDF 32000-1:2008, annex H.3, note 1).
HEADER_WINDOW = 1024


def purge_issue(issue: Issue, *, regions=()) -> None:
    """Once the transaction commits, the issue's cached pages are stale, and the story pages of ``regions``."""
    purge_on_commit({issue.surrogate_key} | story_keys(regions))


class ImportRefused(Exception):
    """The PDF cannot be imported; the message names the file and says why."""


@dataclass(frozen=True)
class ImportResult:
    issue: Issue
    pages: int
    changed: bool


def _natural(path: Path) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def _sources(source: Path) -> list[Path]:
    if source.is_dir():
        found = sorted((p for p in source.iterdir() if p.is_file() and p.suffix.lower() == ".pdf"), key=_natural)
        if not found:
            raise ImportRefused(f"{source}: the folder holds no .pdf files (one PDF per page, named in page order)")
        return found
    if not source.is_file():
        raise ImportRefused(f"{source}: no such file or folder")
    return [source]


def _read(path: Path) -> tuple[bytes, "PdfReader"]:
    # pypdf is read here, not when the app starts: every server and command loads this module.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    data = path.read_bytes()
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        raise ImportRefused(f"{path.name}: is not a PDF (it does not begin with %PDF-)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ImportRefused(f"{path.name}: is encrypted; ask for the PDF without a password or restrictions")
        for page in reader.pages:  # parsing every page now finds damage before anything is written
            page.mediabox
    except ImportRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise ImportRefused(f"{path.name}: is damaged and cannot be read ({error})") from None
    if not reader.pages:
        raise ImportRefused(f"{path.name}: has no pages")
    return data, reader


def fingerprint(datas: list[bytes], *, date: dt.date, number: int | None, special: str | None) -> str:
    """What identifies one import: its PDFs' bytes and its options."""
    digest = hashlib.sha256(f"epaper-1|{date.isoformat()}|{number}|{special or ''}".encode())
    for data in datas:
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def _split(readers: list[tuple[Path, bytes, "PdfReader"]], staging: Path) -> list[Path]:
    """One PDF per page, ``1.pdf``, ``2.pdf``…, and the whole issue as ``issue.pdf``."""
    from pypdf import PdfWriter

    pages = []
    for _, _, reader in readers:
        for page in reader.pages:
            writer = PdfWriter()
            writer.add_page(page)
            target = staging / f"{len(pages) + 1}.pdf"
            with open(target, "wb") as out:
                writer.write(out)
            pages.append(target)
    if len(readers) == 1:
        (staging / "issue.pdf").write_bytes(readers[0][1])
    else:
        whole = PdfWriter()
        for page_pdf in pages:
            whole.append(str(page_pdf))
        with open(staging / "issue.pdf", "wb") as out:
            whole.write(out)
    return pages


def _render(pages: list[Path], staging: Path, rendered: dict[int, dict]) -> Iterator[tuple[int, int]]:
    # "spawn": each worker loads its own PDFium, none inherits the parent's (or its database connections).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(settings.EPAPER_WORKERS, len(pages)), mp_context=context) as pool:
        futures = {pool.submit(render_page, str(path), str(staging), n): n for n, path in enumerate(pages, start=1)}
        try:
            for future in as_completed(futures):
                try:
                    result = future.result()
                except Exception as error:
                    raise ImportRefused(f"page {futures[future]}: cannot be rendered ({error})") from None
                rendered[result["number"]] = result
                yield len(rendered), len(pages)
        finally:
            for future in futures:
                future.cancel()


def import_issue(source: Path, *, date: dt.date, number: int | None = None, special: str | None = None,
                 progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Import the issue of ``date`` from ``source`` (a PDF, or a folder of page PDFs), replacing it whole."""
    steps = importing(source, date=date, number=number, special=special)
    while True:
        try:
            done, total = next(steps)
        except StopIteration as finished:
            return finished.value
        if progress:
            progress(done, total)


def importing(source: Path, *, date: dt.date, number: int | None = None,
              special: str | None = None) -> Generator[tuple[int, int], None, ImportResult]:
    """``import_issue`` step by step: yields (pages rendered, pages), returns the result; closing it early imports nothing."""
    source = Path(source)
    special = (special or "").strip() or None
    slug = slugify(special, allow_unicode=True) if special else ""
    if special and not slug:
        raise ImportRefused(f"--special {special!r}: the name needs at least one letter or digit")
    kind = Issue.SPECIAL if special else Issue.DAILY
    readers = [(path, *_read(path)) for path in _sources(source)]
    print_ = fingerprint([data for _, data, _ in readers], date=date, number=number, special=special)
    existing = Issue.objects.filter(date=date, kind=kind, slug=slug).first()
    if existing is not None and existing.fingerprint == print_:
        return ImportResult(issue=existing, pages=existing.pages.count(), changed=False)
    if number is not None:
        holder = Issue.objects.filter(kind=kind, number=number).exclude(date=date, slug=slug).first()
        if holder is not None:
            raise ImportRefused(f"--number {number}: is already the number of the {holder.get_kind_display().lower()} "
                                f"issue of {holder.date:%Y-%m-%d}")

    media = Path(settings.MEDIA_ROOT)
    run = uuid.uuid4().hex
    staging = media / "epaper" / f".staging-{run}"
    # Each run writes a folder of its own: two imports of one issue at once never share files,
    # and the one that commits last wins whole (the other's folder goes with the row it replaced).
    folder = f"epaper/{date:%Y-%m-%d}{'-' + slug if slug else ''}/{print_[:12]}-{run[:8]}"
    final = media / folder
    staging.mkdir(parents=True)
    try:
        page_pdfs = _split(readers, staging)
        rendered = {}
        yield from _render(page_pdfs, staging, rendered)
        shas = {n: hashlib.sha256(path.read_bytes()).hexdigest() for n, path in enumerate(page_pdfs, start=1)}
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    try:
        issue = _store(date=date, kind=kind, slug=slug, number=number, title=special or "", fingerprint=print_,
                       folder=folder, rendered=rendered, shas=shas)
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)
        raise
    return ImportResult(issue=issue, pages=len(rendered), changed=True)


@transaction.atomic
def _store(*, date, kind, slug, number, title, fingerprint, folder, rendered, shas) -> Issue:
    old = Issue.objects.select_for_update().filter(date=date, kind=kind, slug=slug).first()
    corrected, old_folder, stories = {}, None, set()
    if old is not None:
        stories = story_keys_of_issue(old)  # their "In print" lines point at pages that go
        corrected = {(p.number, p.sha256): p.corrected_text for p in old.pages.exclude(corrected_text="")}
        old_folder = old.folder
        old.delete()
    issue = Issue(date=date, kind=kind, slug=slug, number=number, title=title, fingerprint=fingerprint, folder=folder)
    try:
        issue.full_clean()
    except ValidationError as error:
        raise ImportRefused("; ".join(error.messages)) from None
    issue.save()
    pages = []
    for n, found in sorted(rendered.items()):
        page = Page(issue=issue, number=n, width=found["width"], height=found["height"], sha256=shas[n],
                    text=found["text"], corrected_text=corrected.get((n, shas[n]), ""))
        page.full_clean(validate_unique=False, validate_constraints=False)
        page.fold_text()  # bulk_create calls no save()
        pages.append(page)
    Page.objects.bulk_create(pages)
    purge_on_commit({issue.surrogate_key, ARCHIVE_KEY} | stories)
    if old_folder and old_folder != folder:
        transaction.on_commit(lambda: shutil.rmtree(Path(settings.MEDIA_ROOT) / old_folder, ignore_errors=True))
    return issue
