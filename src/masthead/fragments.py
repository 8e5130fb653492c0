"""Markup written once per process and reused, by what it is made of: the masthead, the navigation,
the footer, the empty comment form, the "Most read" block (``{% kept %}`` in the templates).

The key must name everything the fragment shows that can change; the language and the script
prefix are added to it (and by ``{% kept %}`` the template and line of the tag), and a changed
setting forgets every fragment. Nothing is purged because nothing can be stale: the data a
fragment shows is read afresh with each request, and a section's new name, a list's new count, is
a new key. A page cache purge therefore needs no key of its own for fragments, and an edit shows
on the next page written, whichever process writes it.
"""

import dataclasses
from collections.abc import Callable

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils import translation
from jinja2 import Undefined
from markupsafe import Markup

# Bounded: a key that varies more than expected empties it now and then rather than growing without end.
_kept: dict[tuple, Markup] = {}
KEPT_MAX = 1_000
_KEY_TYPES = (str, int, float, bool, type(None))


def _frozen(value):
    """``value`` as a key part: text, numbers, frozen dataclasses of them and (nested) lists of them.
    A model instance is refused: it hashes by its primary key alone, so a renamed section would
    find its old markup."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, _KEY_TYPES):
        return value
    if isinstance(value, Undefined):  # a variable the page was not given shows as nothing
        return None
    if dataclasses.is_dataclass(value) and value.__dataclass_params__.frozen:
        return (type(value), *(_frozen(getattr(value, f.name)) for f in dataclasses.fields(value)))
    raise TypeError(f"{{% kept %}} keys are text, numbers or lists of them, not {type(value).__name__}: "
                    "name the attributes the fragment shows, e.g. sections|map(attribute='slug')|list")


def kept(key, write: Callable[[], str]) -> Markup:
    """The markup ``write()`` returns, written once per process for ``key``."""
    key = (translation.get_language(), get_script_prefix(), *_frozen(key))
    found = _kept.get(key)
    if found is None:
        if len(_kept) >= KEPT_MAX:
            _kept.clear()
        found = _kept[key] = Markup(write())
    return found


@receiver(setting_changed)
def _forget(**kwargs):
    _kept.clear()
