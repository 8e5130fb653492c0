"""Page to story: find where a web story's headline stands on a printed page, and suggest it as a region.

A person confirms each suggestion in the newsroom; readers see only confirmed regions.
"""

import datetime as dt
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.conf import settings
from django.db import transaction

from masthead.delivery.purge import purge_on_commit
from masthead.epaper.models import Issue, Region
from masthead.epaper.printed import story_keys
from masthead.epaper.rendering import find_phrases
from masthead.news.models import Article

# Stories of the days before an issue are the ones it prints.
DAYS_BEFORE, DAYS_AFTER = 2, 1
# Room round the headline's own box, in points, so the region is easy to tap.
MARGIN = 6.0


def _candidates(issue: Issue) -> list[tuple[int, str]]:
    start = dt.datetime.combine(issue.date - dt.timedelta(days=DAYS_BEFORE), dt.time(), tzinfo=dt.timezone.utc)
    end = dt.datetime.combine(issue.date + dt.timedelta(days=DAYS_AFTER + 1), dt.time(), tzinfo=dt.timezone.utc)
    return list(Article.objects.visible().filter(published_at__gte=start, published_at__lt=end)
                .values_list("id", "headline"))


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def suggest(issue: Issue) -> list[Region]:
    """Add an unconfirmed region for each recent story whose headline is printed on a page of ``issue``."""
    stories = _candidates(issue)
    pages = list(issue.pages.prefetch_related("regions"))
    work = []
    for page in pages:
        text = _normal(page.text)
        known = {r.article_id for r in page.regions.all()}
        wanted = [(pk, headline) for pk, headline in stories if pk not in known and _normal(headline) in text]
        if wanted:
            work.append((page, wanted))
    if not work:
        return []
    folder = Path(settings.MEDIA_ROOT) / issue.folder
    # PDFium is not thread-safe: it runs in a process of its own, as during the import.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        located = [pool.submit(find_phrases, str(folder / f"{page.number}.pdf"), [h for _, h in wanted])
                   for page, wanted in work]
        boxes = [future.result() for future in located]
    made = []
    for (page, wanted), found in zip(work, boxes):
        for index, (x, y, width, height) in found.items():
            left, top = max(0.0, x - MARGIN), max(0.0, y - MARGIN)
            made.append(Region(page=page, article_id=wanted[index][0], x=left, y=top,
                               width=min(page.width - left, width + 2 * MARGIN),
                               height=min(page.height - top, height + 2 * MARGIN)))
    with transaction.atomic():
        Region.objects.bulk_create(made)
    return made


def confirm(regions, *, confirmed: bool = True) -> int:
    """Show (or hide) ``regions`` to readers; the issues' cached pages are purged."""
    regions = list(regions)
    with transaction.atomic():
        changed = Region.objects.filter(pk__in=[r.pk for r in regions]).update(confirmed=confirmed)
        # The issue's pages draw the region; the story's page says where it was printed.
        purge_on_commit({r.page.issue.surrogate_key for r in regions} | story_keys(regions))
    return changed

