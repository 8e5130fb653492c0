"""Editions: one install serves the English paper at ``/`` and the Persian one under ``/fa/``.

A page's edition is read from its address alone (never from the reader's Accept-Language), so a
cached page is the same for every reader and needs no ``Vary``. A story belongs to the edition of
its ``language``; its address carries that edition's prefix: ``/fa/news/<News ID>/<slug>/``.
The newsroom, never cached, speaks each person's language instead (``of_request``).
"""

from django.conf import settings
from django.utils import translation


def of_path(path: str) -> str:
    """The language of the edition ``path`` belongs to: ``fa`` for ``/fa/…``, else the default."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


# Where urls.py mounts the newsroom. Its pages are never cached, so unlike the readers' pages they
# may follow the person: the language their browser asks for, or Django's language cookie.
NEWSROOM = "/newsroom/"


def of_request(request) -> str:
    """The language to serve ``request`` in: its edition's, or in the newsroom the person's own."""
    if request.path_info.startswith(NEWSROOM):
        return translation.get_language_from_request(request)
    return of_path(request.path_info)


def current() -> str:
    """The language of the edition being served."""
    return translation.get_language() or settings.LANGUAGE_CODE


class EditionMiddleware:
    """Serve each request in its edition's language: the ``/fa/`` address patterns match only while
    Persian is active, and the page's ``lang``, ``dir``, strings and digits follow it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = of_request(request)
        request.LANGUAGE_CODE = language  # for the page cache outside, which outlives the activation
        translation.activate(language)
        try:
            response = self.get_response(request)
        finally:
            # A thread serves both editions: the next request, or work outside a request, must
            # not inherit this one's language.
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response


def languages() -> list[str]:
    """The language of every edition, the default first."""
    return [code for code, _name in settings.LANGUAGES]


def name(language: str) -> str:
    """The edition's own name for itself (``فارسی``), as ``LANGUAGES`` spells it."""
    return dict(settings.LANGUAGES)[language]


def paper_name(language: str | None = None) -> str:
    """The paper's name in an edition: the site's name, followed by the edition's for all but the default."""
    language = language or current()
    if language == settings.LANGUAGE_CODE:
        return settings.SITE_NAME
    return f"{settings.SITE_NAME} · {name(language)}"


def prefix(language: str) -> str:
    """The start of every address of an edition: ``""`` for the default, ``/fa`` for Persian."""
    return "" if language == settings.LANGUAGE_CODE else f"/{language}"
