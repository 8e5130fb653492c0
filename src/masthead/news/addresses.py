"""Page addresses, remembered: reversing a URL pattern costs tens of microseconds, and an
article page asks for a few dozen (its section, tags, authors, related stories, navigation).

The URL patterns do not change while a process runs, so each address is worked out once.
A test that swaps ROOT_URLCONF clears the memory (Django clears its own URL caches then too).
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse


@lru_cache(maxsize=200_000)
def _address(prefix: str, viewname: str, args: tuple) -> str:
    return reverse(viewname, args=args)


def address(viewname: str, *args) -> str:
    """``reverse(viewname, args=args)``, remembered per script prefix."""
    return _address(get_script_prefix(), viewname, args)


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _address.cache_clear()
