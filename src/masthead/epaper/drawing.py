"""Small PDFs drawn by Masthead itself: the demo's printed issues (and the tests'), text set line by line.

Written object by object with the standard Helvetica (no font files): a PDF with a real text
layer, as a press's PDF has, in a few hundred bytes a page.
"""

import textwrap

A3 = (842, 1191)
MARGIN = 56


def _escape(text: str) -> bytes:
    # WinAnsiEncoding (cp1252) carries the typographer's quotes and dashes the headlines use.
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(lines: list[tuple[int, str]], width: int, height: int) -> bytes:
    ops, y = [b"BT"], height - MARGIN - 40
    for size, text in lines:
        # Helvetica averages about half an em a character: wrap within the margins.
        for piece in textwrap.wrap(text, max(10, int((width - 2 * MARGIN) / (size * 0.52)))) or [""]:
            ops.append(b"/F1 %d Tf 1 0 0 1 %d %d Tm (%s) Tj" % (size, MARGIN + 16, y, _escape(piece)))
            y -= round(size * 1.3)
        y -= round(size * 0.5)
    ops += [b"ET", b"3 w 20 20 %d %d re S" % (width - 40, height - 40)]  # a frame round the page
    return b"\n".join(ops)


def pdf_bytes(pages: list[list[str | tuple[int, str]]], *, width: int = 612, height: int = 792) -> bytes:
    """A PDF of ``pages``, each a list of lines: text (24 pt) or ``(points, text)``, wrapped to the page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    kids = []
    for lines in pages:
        content = _content([line if isinstance(line, tuple) else (24, line) for line in lines], width, height)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % (width, height, len(objects)))
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
