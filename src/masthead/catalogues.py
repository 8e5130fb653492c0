"""The translation catalogues: each ``locale/<lang>/LC_MESSAGES/django.po`` compiled to the ``.mo``
Django's gettext reads.

The ``.mo`` files are built, not kept in git: ``make install`` and the test suite call
``compile_catalogues`` so a changed ``.po`` is never served stale. Babel compiles them (pure Python),
so no gettext system package is needed.
"""

import io
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def compile_catalogues(*, locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write the ``.mo`` beside every ``.po`` under ``locale_dir`` that is newer; the written paths.

    A ``.po`` that does not parse raises ValueError naming the file and line.
    """
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            try:
                catalog = read_po(po_file, locale=po_path.parent.parent.name, abort_invalid=True)
            except Exception as error:  # Babel's PoFileError carries the line number in its message
                raise ValueError(f"{po_path}: {error}") from None
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(mo_path)
    return written


def extract_django_templates(fileobj, keywords, comment_tags, options):
    """Babel extractor for Django templates (the newsroom's): Django's own ``templatize`` turns
    ``{% translate %}`` and ``{% blocktranslate %}`` into gettext calls, Babel's Python extractor reads them."""
    from babel.messages.extract import extract_python
    from django.utils.translation.template import templatize

    python = templatize(fileobj.read().decode(options.get("encoding", "utf-8")))
    yield from extract_python(io.BytesIO(python.encode("utf-8")), keywords, comment_tags, options)


if __name__ == "__main__":
    for path in compile_catalogues():
        print(f"compiled {path}", file=sys.stderr)
