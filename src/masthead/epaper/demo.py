"""The demo's printed paper: three issues drawn from the demo stories, their headlines mapped to the stories.

Drawn by ``epaper.drawing`` (no third-party newspaper pages): each daily issue prints the stories of
the two days before it, the newest on the front page, then a page per section; the special
prints the week's politics. Idempotent, as every import is.
"""

import datetime as dt
import tempfile
from pathlib import Path

from django.conf import settings

from masthead.epaper import regions
from masthead.epaper.drawing import A3, pdf_bytes
from masthead.epaper.importing import import_issue
from masthead.news.models import Article

ISSUES = [  # date, issue number, special's name
    (dt.date(2021, 4, 7), 7604, None),
    (dt.date(2021, 4, 12), 7608, None),
    (dt.date(2021, 4, 10), 12, "Week in politics"),
]


def _pages(stories: list[Article], *, title: str) -> list[list]:
    front = [(40, title), *[line for story in stories[:3] for line in ((22, story.headline), (12, story.summary))]]
    pages, by_section = [front], {}
    for story in stories[3:]:
        by_section.setdefault(story.section.name, []).append(story)
    for name, printed in by_section.items():
        pages.append([(30, name), *[line for story in printed for line in ((20, story.headline), (11, story.summary))]])
    return pages


def load(*, site_name: str) -> int:
    """Import the demo issues and confirm their regions; return how many issues changed."""
    changed = 0
    with tempfile.TemporaryDirectory() as folder:
        for date, number, special in ISSUES:
            start = dt.datetime.combine(date - dt.timedelta(days=2 if not special else 6), dt.time(),
                                        tzinfo=dt.timezone.utc)
            end = dt.datetime.combine(date, dt.time(23, 59), tzinfo=dt.timezone.utc)
            # The printed paper is the English edition: the Persian edition's stories are not on its pages.
            stories = list(Article.objects.visible().filter(published_at__gte=start, published_at__lte=end,
                                                            language=settings.LANGUAGE_CODE)
                           .filter(**({"section__slug": "politics"} if special else {}))
                           .select_related("section").order_by("-published_at"))
            if not stories:
                continue
            source = Path(folder) / f"{date}.pdf"
            source.write_bytes(pdf_bytes(_pages(stories, title=special or site_name), width=A3[0], height=A3[1]))
            result = import_issue(source, date=date, number=number, special=special)
            if result.changed:
                changed += 1
                regions.confirm(regions.suggest(result.issue))
    return changed
