"""Render one page's PDF to the reader's images and read its text layer.

Runs in worker processes: PDFium is not thread-safe (pypdfium2's own documentation says so), so an
import renders pages in parallel processes, each with its own PDFium. Nothing here touches Django,
so a spawned worker starts fast.
"""

from pathlib import Path

# Widths in pixels: the zoomed page, the page as read, and the rail's thumbnail. A broadsheet page
# (about 900 points wide) is then about 190 dpi when zoomed.
SIZES = {"large": 2400, "page": 1000, "thumb": 160}
JPEG_QUALITY = 82


def image_name(number: int, size: str) -> str:
    return f"{number}-{size}.jpg"


def render_page(pdf_path: str, out_dir: str, number: int) -> dict:
    """Write ``<n>-large.jpg``, ``<n>-page.jpg`` and ``<n>-thumb.jpg`` into ``out_dir``; return the size and text."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf_path)
    try:
        page = document[0]
        width, height = page.get_size()
        # Each size drawn by PDFium at its own scale rather than shrunk from the largest: the text is
        # as sharp as the size allows, and drawing is cheaper than resampling (about 0.1 s less per
        # page for the three sizes). Drawn as RGB (PDFium's own order is BGR), so no conversion.
        for size, target_width in SIZES.items():
            image = page.render(scale=target_width / width, rev_byteorder=True).to_pil()
            image.save(Path(out_dir) / image_name(number, size), "JPEG", quality=JPEG_QUALITY, optimize=True)
        textpage = page.get_textpage()
        text = textpage.get_text_bounded()
        textpage.close()
        page.close()
    finally:
        document.close()
    return {"number": number, "width": float(width), "height": float(height),
            "text": text.replace("\r\n", "\n").replace("\r", "\n").strip()}


def find_phrases(pdf_path: str, phrases: list[str]) -> dict[int, tuple[float, float, float, float]]:
    """Where each of ``phrases`` first stands on the page (any case): ``{index: (x, y, width, height)}`` in points from the top-left."""
    import pypdfium2 as pdfium

    found = {}
    document = pdfium.PdfDocument(pdf_path)
    try:
        page = document[0]
        page_height = page.get_height()
        textpage = page.get_textpage()
        for index, phrase in enumerate(phrases):
            searcher = textpage.search(phrase, match_case=False)
            hit = searcher.get_next()
            searcher.close()
            if hit is None:
                continue
            start, count = hit
            boxes = [textpage.get_rect(i) for i in range(textpage.count_rects(start, count))]
            left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
            right, top = max(b[2] for b in boxes), max(b[3] for b in boxes)
            found[index] = (left, page_height - top, right - left, top - bottom)
        textpage.close()
        page.close()
    finally:
        document.close()
    return found
