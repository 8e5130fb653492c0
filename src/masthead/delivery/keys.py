"""The names of surrogate keys: what a cached page was built from, and what a purge names.

A page carries the keys of what it shows (``article-302104``, ``section-3``, ``home``...) in its
``Surrogate-Key`` header and in the page cache; a change purges the keys of what it touched.
Both sides spell the names here, so a page and its purge cannot drift apart.
"""

from datetime import date

# The request attribute holding what ``carry`` added to the page a request builds.
_CARRIED = "masthead_carried_keys"

HOME = "home"
# Every save purges it: feeds, sitemaps, the API's lists and the year archives carry it.
FEEDS = "feeds"
CORRECTIONS = "corrections"
# Pages that change only with the code or settings: purged by nothing, they live their lifetime.
OPENAPI = "openapi"
ROBOTS = "robots"
# Every page that shows the list of sections or a section's name where the section's own key would
# not reach it: the navigation, on every reader's HTML page (``carry`` adds it to whichever page
# reads the sections), and the API's story answers. A section's change purges it: sections change
# rarely, and a new name, order or section changes the navigation of nearly every page anyway.
SECTIONS = "sections"


def article(pk: int) -> str:
    return f"article-{pk}"


def section(pk: int) -> str:
    return f"section-{pk}"


def tag(pk: int) -> str:
    return f"tag-{pk}"


def author(pk: int) -> str:
    return f"author-{pk}"


# A tag's and an author's own keys name their lists (their pages, their feeds), which every publish
# under them purges; the pages of the stories filed under them show their names too, but must not go
# with each publish of a neighbour: those carry these keys, purged only when the tag or author changes.
def tag_name(pk: int) -> str:
    """The key of every story page (and API answer) that shows tag ``pk``'s name among the story's tags."""
    return f"tag-name-{pk}"


def author_name(pk: int) -> str:
    """The key of every story page (and API answer) that shows author ``pk``'s name in a byline."""
    return f"author-name-{pk}"


def image(pk: int) -> str:
    """The key of every page that shows the media library's image ``pk``: a new focal point, caption
    or credit purges them."""
    return f"image-{pk}"


def archive_day(day: date) -> str:
    """The key of the archive pages that list ``day``'s stories (a datetime names its date)."""
    return f"archive-{day:%Y-%m-%d}"


def carry(request, *names: str) -> None:
    """Make the page ``request`` builds carry ``names`` besides its view's keys: for a part that many
    pages show and no view should have to remember (the navigation's sections)."""
    setattr(request, _CARRIED, getattr(request, _CARRIED, frozenset()) | set(names))


def carried(request) -> frozenset:
    """What ``carry`` added to the page ``request`` builds."""
    return getattr(request, _CARRIED, frozenset())
