"""The printed paper's pages, which the site's search lists beside the stories.

The e-paper app owns its pages and how they are searched; it registers its search here when it
is ready (``EpaperConfig.ready``), so this app does not import the one that imports it.
"""

from collections.abc import Callable

_finder: list[Callable] = []


def register(finder: Callable) -> None:
    """Make ``finder(text, *, since, until)`` the search of printed pages (an object with ``text`` and ``hits``)."""
    _finder[:] = [finder]


def search(text: str, *, since: str = "", until: str = ""):
    """The printed pages holding ``text``'s words between the ISO dates given, or None without an e-paper."""
    return _finder[0](text, since=since, until=until) if _finder else None
