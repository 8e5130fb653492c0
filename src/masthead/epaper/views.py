"""The e-paper's public pages: the archive, an issue, a page, its text, the PDFs and the scans."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from masthead.epaper import reading
from masthead.epaper.importing import ARCHIVE_KEY
from masthead.epaper.models import Issue
from masthead.epaper.rendering import SIZES, image_name
from masthead.news.caching import cacheable

# A scan's address names its import (issue id and fingerprint): a new import has new addresses.
FOREVER = "public, max-age=31536000, immutable"


def _cacheable(response, keys, *, last_modified=None):
    """Mark ``response`` for the page cache under ``keys`` (purged by every import of the issue).

    An issue shows no story, so its lifetime is not bound to the next scheduled one."""
    return cacheable(response, keys, last_modified=last_modified, bounded_by_schedule=False,
                     reads={"month", "before", "q"})


def _issue(date: dt.date, slug: str | None) -> Issue:
    kind = Issue.SPECIAL if slug else Issue.DAILY
    found = Issue.objects.filter(date=date, kind=kind, slug=slug or "").first()
    if found is None:
        raise Http404(_("No issue of %(date)s in the e-paper archive.") % {"date": date.isoformat()})
    return found


def archive(request):
    """``/epaper/``: the newest issues, a month's calendar and the specials; ``?nid=&pid=`` moved here for good."""
    if "nid" in request.GET:
        return HttpResponsePermanentRedirect(reading.legacy_address(request.GET.get("nid", ""), request.GET.get("pid", "")))
    shown = reading.archive(month=request.GET.get("month", ""), before=request.GET.get("before", ""))
    response = render(request, "epaper/archive.html", {"archive": shown})
    return _cacheable(response, {ARCHIVE_KEY}, last_modified=shown.last_modified)


def issue(request, date: dt.date, slug: str | None = None):
    found = _issue(date, slug)
    pages = list(found.pages.only("number", "width", "height"))
    response = render(request, "epaper/page.html", {"issue": found, "pages": pages, "page": pages[0],
                                                      "front": True, "regions": reading.regions(pages[0]),
                                                      "neighbours": reading.neighbours(found)})
    return _cacheable(response, {found.surrogate_key}, last_modified=found.imported_at)


def page(request, date: dt.date, page: int, slug: str | None = None):
    found = _issue(date, slug)
    pages = list(found.pages.only("number", "width", "height"))
    if not 1 <= page <= len(pages):
        raise Http404(_("This issue has no page %(page)s.") % {"page": page})
    response = render(request, "epaper/page.html", {"issue": found, "pages": pages, "page": pages[page - 1],
                                                      "front": False, "regions": reading.regions(pages[page - 1])})
    return _cacheable(response, {found.surrogate_key}, last_modified=found.imported_at)


def page_text(request, date: dt.date, page: int, slug: str | None = None):
    """The page as plain text, for screen readers, search engines and search results (``?q=`` marks a word)."""
    found = _issue(date, slug)
    shown = found.pages.filter(number=page).first()
    if shown is None:
        raise Http404(_("This issue has no page %(page)s.") % {"page": page})
    words = request.GET.get("q", "")[:200]
    response = render(request, "epaper/text.html", {
        "issue": found, "page": shown, "page_count": found.pages.count(),
        "paragraphs": reading.marked_paragraphs(shown.reading_text, words=words),
    })
    return _cacheable(response, {found.surrogate_key}, last_modified=found.imported_at)


def _pdf(path: Path, filename: str):
    if not path.is_file():
        raise Http404(_("The PDF of this issue is missing."))
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=filename, content_type="application/pdf")
    response["Cache-Control"] = f"public, max-age={settings.BROWSER_MAX_AGE}"
    return response


def _filename(found: Issue, suffix: str = "") -> str:
    name = slugify(settings.SITE_NAME) or "epaper"
    special = f"-{found.slug}" if found.slug else ""
    return f"{name}-{found.date.isoformat()}{special}{suffix}.pdf"


def issue_pdf(request, date: dt.date, slug: str | None = None):
    found = _issue(date, slug)
    return _pdf(Path(settings.MEDIA_ROOT) / found.folder / "issue.pdf", _filename(found))


def page_pdf(request, date: dt.date, page: int, slug: str | None = None):
    found = _issue(date, slug)
    if not found.pages.filter(number=page).exists():
        raise Http404(_("This issue has no page %(page)s.") % {"page": page})
    return _pdf(Path(settings.MEDIA_ROOT) / found.folder / f"{page}.pdf", _filename(found, f"-page-{page}"))


def scan(request, issue_id: int, token: str, page: int, size: str):
    if size not in SIZES:
        raise Http404(_("No scan at size %(size)s.") % {"size": size})
    found = Issue.objects.filter(pk=issue_id).only("fingerprint", "folder").first()
    path = Path(settings.MEDIA_ROOT) / found.folder / image_name(page, size) if found and found.token == token else None
    if path is None or not path.is_file():
        raise Http404(_("No such scan."))
    response = FileResponse(open(path, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = FOREVER
    return response


def search(request):
    """Words on the pages of the printed paper, newest issue first, by date range. Not page-cached, as /search/."""
    found = reading.search(request.GET.get("q", ""), since=request.GET.get("from", ""), until=request.GET.get("to", ""))
    response = render(request, "epaper/search.html", {"found": found})
    response["Cache-Control"] = "no-cache"
    return response
