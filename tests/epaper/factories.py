"""Small real PDFs for the e-paper's tests, written out object by object (no binary fixtures)."""

import datetime as dt
from pathlib import Path

from masthead.epaper.importing import import_issue


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(pages: list[list[str]], *, width: int = 612, height: int = 792) -> bytes:
    """A PDF whose pages carry ``pages``' lines as real text (Helvetica), one line under the other."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", None, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        ops = ["BT /F1 24 Tf 72 %d Td 30 TL" % (height - 96)] + [f"({_escape(line)}) Tj T*" for line in lines] + ["ET",
               # A frame, so the rendered page is not blank.
               f"4 w 20 20 {width - 40} {height - 40} re S"]
        content = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        content_ref = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % (width, height, content_ref))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def write_pdf(path: Path, pages: list[list[str]], **size) -> Path:
    path.write_bytes(pdf_bytes(pages, **size))
    return path


def make_issue(tmp_path: Path, *, date: dt.date = dt.date(2021, 4, 12), pages: list[list[str]] | None = None,
               number: int | None = None, special: str | None = None):
    """Import an issue made of ``pages`` (default three pages with a word each) and return it."""
    pages = pages or [["Front page", "Leave the region"], ["Economy", "Oil exports rise"], ["Sports", "Persepolis win"]]
    name = f"{date.isoformat()}-{special or 'daily'}.pdf"
    return import_issue(write_pdf(tmp_path / name, pages), date=date, number=number, special=special).issue
