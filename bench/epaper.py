"""The e-paper: a 16-page issue imported, and the archive of ten years of daily issues read.

    .venv/bin/python -m bench.epaper                       # SQLite in a temp dir
    .venv/bin/python -m bench.epaper --years 2 --runs 5    # a smaller archive

1. **Import.** A 16-page issue of A3 pages (842 × 1191 pt), each carrying a full-page photograph
   at 150 dpi (1754 × 2481 px, as a scanned or photo-heavy page is) under a text layer of 40 lines,
   is imported with ``import_issue`` (split, rendered by ``MASTHEAD_EPAPER_WORKERS`` processes,
   text read, stored) and timed end to end, then searched for a word on its last page.
   Target: ≤ 15 s on the 2-core machine.
2. **Archive.** 3,650 daily issues of 16 pages (58,400 pages, each with 1.5 kB of text) are
   bulk-inserted; then each reader page is requested in-process with the page cache cleared
   before every request (a miss, the worst case), newest and oldest alike: the archive's front,
   a month ten years back, the newest and the oldest issue, a page of each, a page's text; and a
   page from the cache. Target: the oldest month and page cost what the newest do.
"""

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
A3 = (842, 1191)


def make_issue_pdf(path: str, pages: int = 16) -> None:
    """A whole-issue PDF: each page a 150 dpi photograph with a real text layer over it."""
    from PIL import Image
    from pypdf import PdfReader, PdfWriter

    from tests.epaper.factories import pdf_bytes

    rng = random.Random(14)
    pixels = (round(A3[0] * 150 / 72), round(A3[1] * 150 / 72))
    images = []
    for n in range(pages):
        # Smooth gradients with noise: compresses as a photograph does, not as a flat colour.
        base = Image.linear_gradient("L").resize(pixels).convert("RGB")
        noise = Image.effect_noise(pixels, 40 + n).convert("RGB")
        images.append(Image.blend(base, noise, 0.35))
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=150, save_all=True, append_images=images[1:])
    photos = PdfReader(io.BytesIO(buffer.getvalue()))
    words = ["minister", "oil", "region", "market", "league", "weather", "court", "budget", "tehran", "export"]
    text = PdfReader(io.BytesIO(pdf_bytes([[" ".join(rng.choices(words, k=8)) + f" page{n + 1}" for _ in range(40)]
                                           for n in range(pages)], width=A3[0], height=A3[1])))
    writer = PdfWriter(clone_from=photos)
    for photo, lines in zip(writer.pages, text.pages):
        photo.merge_page(lines)
    with open(path, "wb") as out:
        writer.write(out)


def bench_import(folder: str) -> dict:
    from django.conf import settings

    from masthead.epaper import reading
    from masthead.epaper.importing import import_issue

    source = os.path.join(folder, "issue-16.pdf")
    make_issue_pdf(source)
    started = time.perf_counter()
    result = import_issue(source, date=dt.date(2026, 12, 1), number=99999)
    elapsed = time.perf_counter() - started
    found = reading.search("page16")
    assert [p.number for p, _ in found.hits] == [16], found.hits
    return {"pages": result.pages, "pdf_bytes": os.path.getsize(source), "seconds": round(elapsed, 2),
            "workers": settings.EPAPER_WORKERS}


def build_archive(years: int, pages: int = 16) -> tuple[dt.date, dt.date]:
    from django.db import transaction

    from masthead.epaper.models import Issue, Page

    rng = random.Random(302104)
    words = [f"w{n}" for n in range(5000)]
    newest = dt.date(2026, 11, 30)
    days = years * 365
    with transaction.atomic():
        issues = Issue.objects.bulk_create(
            Issue(date=newest - dt.timedelta(days=d), number=100000 + days - d, fingerprint=f"{d:064x}",
                  folder=f"epaper/bench/{d}") for d in range(days))
        batch = []
        for issue in issues:
            for n in range(1, pages + 1):
                batch.append(Page(issue=issue, number=n, width=A3[0], height=A3[1], sha256="0" * 64,
                                  text=" ".join(rng.choices(words, k=250))))
            if len(batch) >= 8000:
                Page.objects.bulk_create(batch)
                batch = []
        Page.objects.bulk_create(batch)
    return newest, newest - dt.timedelta(days=days - 1)


def timed(client, address: str, runs: int, *, cached: bool = False) -> dict:
    from django.core.cache import cache

    walls = []
    client.get(address)  # compiles the templates once
    for _ in range(runs):
        if not cached:
            cache.clear()
        started = time.perf_counter()
        response = client.get(address)
        walls.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (address, response.status_code)
    return {"address": address, "median_ms": round(statistics.median(walls), 2), "max_ms": round(max(walls), 2)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="masthead-bench-epaper-")
    os.environ["MASTHEAD_VAR_DIR"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    sys.path.insert(0, ROOT)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    print("import:", bench_import(folder), flush=True)
    started = time.perf_counter()
    newest, oldest = build_archive(args.years)
    print(f"archive: {args.years * 365} issues built in {time.perf_counter() - started:.1f} s", flush=True)
    client = Client()
    for address in ["/epaper/", f"/epaper/?month={newest:%Y-%m}", f"/epaper/?month={oldest:%Y-%m}",
                    f"/epaper/?before={oldest + dt.timedelta(days=40)}",
                    f"/epaper/{newest}/", f"/epaper/{oldest}/", f"/epaper/{newest}/9/", f"/epaper/{oldest}/9/",
                    f"/epaper/{oldest}/9/text/"]:
        print("miss:", timed(client, address, args.runs), flush=True)
    print("hit: ", timed(client, f"/epaper/{oldest}/9/", args.runs, cached=True), flush=True)
    print("search:", timed(client, f"/epaper/search/?q=w17+w4021&from={oldest}&to={oldest + dt.timedelta(days=365)}", 3))


if __name__ == "__main__":
    main()
