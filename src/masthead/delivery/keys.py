"""The names of surrogate keys: what a cached page was built from, and what a purge names.

A page carries the keys of what it shows (``article-302104``, ``section-3``, ``home``...) in its
``Surrogate-Key`` header and in the page cache; a change purges the keys of what it touched.
Both sides spell the names here, so a page and its purge cannot drift apart.
"""

from datetime import date

HOME = "home"
# Every save purges it: feeds, sitemaps, the API's lists and the year archives carry it.
FEEDS = "feeds"
CORRECTIONS = "corrections"
# Pages that change only with the code or settings: purged by nothing, they live their lifetime.
OPENAPI = "openapi"
ROBOTS = "robots"


def article(pk: int) -> str:
    return f"article-{pk}"


def section(pk: int) -> str:
    return f"section-{pk}"


def tag(pk: int) -> str:
    return f"tag-{pk}"


def author(pk: int) -> str:
    return f"author-{pk}"


def image(pk: int) -> str:
    """The key of every page that shows the media library's image ``pk``: a new focal point, caption
    or credit purges them."""
    return f"image-{pk}"


def archive_day(day: date) -> str:
    """The key of the archive pages that list ``day``'s stories (a datetime names its date)."""
    return f"archive-{day:%Y-%m-%d}"
