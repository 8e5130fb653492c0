"""Editions: one install serves the English paper at ``/`` and the Persian one under ``/fa/``.

A page's edition is read from its address alone (never from the reader's Accept-Language), so a
cached page is the same for every reader and needs no ``Vary``. A story belongs to the edition of
its ``language``; its address carries that edition's prefix: ``/fa/news/<News ID>/<slug>/``.
"""

from django.conf import settings
from django.utils import translation


def of_path(path: str) -> str:
    """The language of the edition ``path`` belongs to: ``fa`` for ``/fa/…``, else the default."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def current() -> str:
    """The language of the edition being served."""
    return translation.get_language() or settings.LANGUAGE_CODE


class EditionMiddleware:
    """Serve each request in its edition's language: the ``/fa/`` address patterns match only while
    Persian is active, and the page's ``lang``, ``dir``, strings and digits follow it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = of_path(request.path_info)
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
