"""What the e-paper's pages show: the archive with its calendar, the legacy addresses, page text and search."""

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext as _
from markupsafe import Markup, escape

from masthead.epaper.models import Issue, Page, Region, searchable
from masthead.news.models import Article

ISSUES_PER_PAGE = 30
SPECIALS_SHOWN = 60
SEARCH_RESULTS = 50
SEARCH_WORDS = 6
SNIPPET = 90  # characters each side of the first word found


@dataclass
class Archive:
    issues: list
    month: dt.date  # the calendar's month, its first day
    weeks: list  # of weeks of (day, issue or None, in the month)
    specials: list
    older: str = ""  # ?before= of the next, older page of issues
    previous_month: str = ""
    next_month: str = ""
    last_modified: dt.datetime | None = None

    @property
    def month_moment(self) -> dt.datetime:
        return dt.datetime.combine(self.month, dt.time(), tzinfo=dt.timezone.utc)


def _month(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(f"{text}-01") if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text) else None
    except ValueError:
        return None


def archive(*, month: str = "", before: str = "") -> Archive:
    """The newest daily issues (older ones page by ``before``, a date), a month's calendar and the specials."""
    dailies = Issue.objects.dailies().newest_first()
    try:
        before_day = dt.date.fromisoformat(before) if before else None
    except ValueError:
        before_day = None
    listed = list((dailies.filter(date__lt=before_day) if before_day else dailies)[:ISSUES_PER_PAGE + 1])
    older = listed[ISSUES_PER_PAGE - 1].date.isoformat() if len(listed) > ISSUES_PER_PAGE else ""
    listed = listed[:ISSUES_PER_PAGE]
    shown = _month(month) or (listed[0].date.replace(day=1) if listed else dt.date.today().replace(day=1))
    after_month = (shown + dt.timedelta(days=32)).replace(day=1)
    in_month = {i.date: i for i in dailies.filter(date__gte=shown, date__lt=after_month)}
    weeks = [[(d, in_month.get(d), d.month == shown.month) for d in week]
             for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(shown.year, shown.month)]
    earlier = dailies.filter(date__lt=shown).values_list("date", flat=True).first()
    later = dailies.filter(date__gte=after_month).order_by("date").values_list("date", flat=True).first()
    return Archive(
        issues=listed, month=shown, weeks=weeks, older=older,
        specials=list(Issue.objects.specials().newest_first()[:SPECIALS_SHOWN]),
        previous_month=f"{earlier:%Y-%m}" if earlier else "", next_month=f"{later:%Y-%m}" if later else "",
        last_modified=max((i.imported_at for i in listed), default=None),
    )


def legacy_address(nid: str, pid: str) -> str:
    """Where the old archive's ``?nid=<issue number>&pid=<page>`` lives now."""
    found = Issue.objects.dailies().filter(number=int(nid)).first() if nid.isdigit() else None
    if found is None:
        raise Http404(_("The e-paper archive has no issue number %(nid)s.") % {"nid": nid[:20]})
    if pid.isdigit() and found.pages.filter(number=int(pid)).exists():
        return found.address("page", int(pid))
    return found.address()


def _words(text: str) -> list[str]:
    return [w for w in text.split() if any(c.isalnum() for c in w)][:SEARCH_WORDS]


def _marker(words: list[str]):
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE) if words else None


def mark(text: str, *, words: list[str]) -> Markup:
    """``text`` escaped, with each of ``words`` in a ``<mark>``."""
    pattern = _marker(words)
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for found in pattern.finditer(text):
        out += [escape(text[last:found.start()]), Markup("<mark>%s</mark>") % found.group()]
        last = found.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def marked_paragraphs(text: str, *, words: str) -> list[Markup]:
    """The page's text as paragraphs (one per block of lines), with the searched ``words`` marked."""
    wanted = _words(words)
    blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
    if len(blocks) == 1:  # a text layer without blank lines: one paragraph per line reads better
        blocks = [" ".join(line.split()) for line in text.splitlines()]
    return [mark(block, words=wanted) for block in blocks if block]


@dataclass
class SearchResults:
    text: str
    since: dt.date | None
    until: dt.date | None
    hits: list = field(default_factory=list)  # of (page, snippet)
    notes: list = field(default_factory=list)
    searched: bool = False


def _day(value: str, label: str, notes: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        notes.append(_("“%(value)s” is not a date like 2021-04-12, so the %(label)s date was left out.")
                     % {"value": value[:40], "label": label})
        return None


def _snippet(text: str, words: list[str]) -> Markup:
    pattern = _marker(words)
    found = pattern.search(text) if pattern else None
    start = max(0, found.start() - SNIPPET) if found else 0
    end = (found.end() + SNIPPET) if found else 2 * SNIPPET
    piece = " ".join(text[start:end].split())
    return Markup("%s%s%s") % ("… " if start else "", mark(piece, words=words), " …" if end < len(text) else "")


def search(text: str, *, since: str = "", until: str = "") -> SearchResults:
    """Pages whose text holds every word of ``text`` (any case), newest issue first, within the dates given."""
    notes = []
    first, last = _day(since, _("from"), notes), _day(until, _("to"), notes)
    if first and last and first > last:
        first, last = last, first
    words = _words(text[:500])
    results = SearchResults(text=" ".join(words), since=first, until=last, notes=notes, searched=bool(words))
    if text.strip() and not words:
        notes.append(_("Your search has no letters or digits to look for. Try a word or two."))
    if not words:
        return results
    pages = Page.objects.select_related("issue")
    # search_text is the reading text (the editor's, where there is one, replaces a broken text
    # layer) folded as the site's search folds words, so "خارجي" finds "خارجی" and ۱۴۰۰ finds 1400.
    for word in words:
        pages = pages.filter(search_text__contains=searchable(word))
    if first:
        pages = pages.filter(issue__date__gte=first)
    if last:
        pages = pages.filter(issue__date__lte=last)
    for page in pages.order_by("-issue__date", "issue_id", "number")[:SEARCH_RESULTS]:
        results.hits.append((page, _snippet(page.reading_text, words)))
    return results


def regions(page: Page) -> list[Region]:
    """The confirmed regions of ``page`` whose stories a reader may see, top to bottom."""
    visible = Article.objects.visible().values("pk")
    return list(Region.objects.filter(page=page, confirmed=True, article__in=visible)
                .select_related("article").only("x", "y", "width", "height", "article__id", "article__slug",
                                                "article__headline"))


def neighbours(issue: Issue) -> tuple[Issue | None, Issue | None]:
    """The issues of the same kind just before and just after ``issue``, by date (two index seeks)."""
    same = Issue.objects.filter(kind=issue.kind).only("date", "slug", "kind", "title")
    before = same.filter(date__lt=issue.date).order_by("-date").first()
    after = same.filter(date__gt=issue.date).order_by("date").first()
    return before, after
