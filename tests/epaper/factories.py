"""Small real PDFs for the e-paper's tests (drawn by ``epaper.drawing``: no binary fixtures), and imported issues."""

import datetime as dt
from pathlib import Path

from masthead.epaper.drawing import pdf_bytes
from masthead.epaper.importing import import_issue


def write_pdf(path: Path, pages: list[list[str]], **size) -> Path:
    path.write_bytes(pdf_bytes(pages, **size))
    return path


def make_issue(tmp_path: Path, *, date: dt.date = dt.date(2021, 4, 12), pages: list[list[str]] | None = None,
               number: int | None = None, special: str | None = None):
    """Import an issue made of ``pages`` (default three pages with a word each) and return it."""
    pages = pages or [["Front page", "Leave the region"], ["Economy", "Oil exports rise"], ["Sports", "Persepolis win"]]
    name = f"{date.isoformat()}-{special or 'daily'}.pdf"
    return import_issue(write_pdf(tmp_path / name, pages), date=date, number=number, special=special).issue
