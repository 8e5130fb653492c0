"""The "Most read" and "Most commented" lists, counted at most every ``MASTHEAD_MOST_READ_SECONDS``.

The lists are kept in the shared cache under their edition (and section), so building a page costs
one cache read; the pages that show them live no longer than ``MASTHEAD_PAGE_CACHE_SECONDS``, so a
list on a page is at most the sum of the two out of date, and a read never purges a page.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from masthead import editions
from masthead.audience.models import StoryReads
from masthead.comments.models import Comment
from masthead.news.models import Article

HOURS = 24
LENGTH = 5


@dataclass(frozen=True)
class Entry:
    """One line of a list: a story's headline and address, and its figure."""

    news_id: int
    headline: str
    url: str
    figure: int


def _entries(totals: list[tuple[int, int]]) -> list[Entry]:
    stories = Article.objects.only("id", "headline", "slug", "language").in_bulk([pk for pk, _ in totals])
    return [Entry(pk, stories[pk].headline, stories[pk].get_absolute_url(), total)
            for pk, total in totals if pk in stories]


def most_read(*, language: str, section_id: int | None = None, now: datetime | None = None,
              hours: int = HOURS, length: int = LENGTH) -> list[Entry]:
    """The visible stories of an edition (and section) read most in the last ``hours``, most read first."""
    now = now or timezone.now()
    stories = Article.objects.visible(at=now).filter(language=language)
    if section_id is not None:
        stories = stories.filter(section_id=section_id)
    # EXISTS per read row, not "story IN (every visible story)": SQLite reads an IN list in full, so
    # the list cost a walk over every visible story (1.8 s at 60,000 stories, with no reads at all).
    totals = (StoryReads.objects.filter(Exists(stories.filter(pk=OuterRef("story"))), hour__gt=now - timedelta(hours=hours))
              .values("story").annotate(total=Sum("count")).order_by("-total", "-story")[:length])
    return _entries([(row["story"], row["total"]) for row in totals])


def most_commented(*, language: str, now: datetime | None = None, hours: int = HOURS,
                   length: int = LENGTH) -> list[Entry]:
    """The visible stories of an edition with most comments shown to readers written in the last ``hours``."""
    now = now or timezone.now()
    stories = Article.objects.visible(at=now).filter(language=language)
    # From the day's approved comments (index comment_queue) to their stories, as most_read goes from
    # reads: counting per visible story walked every story of the archive (1.3 s at 300,000, no comments).
    totals = (Comment.objects.filter(Exists(stories.filter(pk=OuterRef("article"))), status=Comment.Status.APPROVED,
                                     created_at__gt=now - timedelta(hours=hours))
              .values("article").annotate(total=Count("id")).order_by("-total", "-article")[:length])
    return _entries([(row["article"], row["total"]) for row in totals])


def _kept(key: str, count):
    found = cache.get(key)
    if found is None:
        found = count()
        cache.set(key, found, settings.MOST_READ_SECONDS)
    return found


def block(*, language: str, section_id: int | None = None) -> dict[str, list[Entry]]:
    """The lists a page shows, from the cache, counted afresh when they are older than the setting allows."""
    found = _kept(f"audience:lists:{language}", lambda: {"most_read": most_read(language=language),
                                                          "most_commented": most_commented(language=language)})
    in_section = _kept(f"audience:lists:{language}:{section_id}",
                       lambda: most_read(language=language, section_id=section_id)) if section_id else []
    return {"most_read": found["most_read"], "in_section": in_section, "most_commented": found["most_commented"]}


def for_page(article=None) -> dict[str, list[Entry]]:
    """The lists for a page of the current edition; an article's page adds its section's list, without itself."""
    found = block(language=editions.current(), section_id=article.section_id if article is not None else None)
    if article is None:
        return found
    return {name: [entry for entry in entries if entry.news_id != article.pk] for name, entries in found.items()}
