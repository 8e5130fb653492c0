"""Page addresses, remembered: reversing a URL pattern costs tens of microseconds, and an
article page asks for a few dozen (its section, tags, authors, related stories, navigation).

The URL patterns do not change while a process runs, so each address is worked out once, and
each pattern once per shape: reversed with marker arguments, it is split around them, and the
addresses of other stories are that pattern with their arguments put in (quoted as ``reverse``
quotes them). Arguments that are not plain slugs or numbers go through ``reverse`` itself.
A test that swaps ROOT_URLCONF clears the memory (Django clears its own URL caches then too).
"""

import re
from functools import lru_cache
from urllib.parse import quote

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import translation
from django.utils.http import RFC3986_SUBDELIMS

# What the number, slug and Unicode slug converters accept. An argument that does not match what
# its place in the pattern takes is left to reverse() to refuse (or to build, for a wider converter).
_KINDS = (re.compile(r"[0-9]+"), re.compile(r"[-a-zA-Z0-9_]+"), re.compile(r"[-\w]+"))
_MARKER = "7391{}8264"  # digits: a valid value for every converter the patterns use
_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted


@lru_cache(maxsize=200_000)
def _address(prefix: tuple, viewname: str, args: tuple) -> str:
    shape = _pattern(prefix, viewname, len(args)) if args else None
    texts = [str(arg) for arg in args]
    if shape is None or not all(kind.fullmatch(text) for kind, text in zip(shape[1], texts)):
        return reverse(viewname, args=args)
    pieces = shape[0]
    out = [pieces[0]]
    for text, piece in zip(texts, pieces[1:]):
        out += [quote(text, safe=_SAFE), piece]
    return "".join(out)


@lru_cache(maxsize=1_000)
def _pattern(prefix: tuple, viewname: str, count: int):
    """The address of ``viewname`` split around its ``count`` arguments, with what each place takes; or None."""
    markers = [_MARKER.format(n) for n in range(count)]
    try:
        pieces = [reverse(viewname, args=markers)]
    except NoReverseMatch:
        return None
    for marker in markers:
        head, found, tail = pieces[-1].partition(marker)
        if not found or marker in tail:
            return None
        pieces[-1:] = [head, tail]
    return tuple(pieces), tuple(_kind(viewname, markers, n) for n in range(count))


def _kind(viewname: str, markers: list[str], place: int):
    """The narrowest of _KINDS the pattern takes at ``place``: tried with a letter, then a Persian letter."""
    kind = _KINDS[0]
    for probe, wider in (("x", _KINDS[1]), ("ب", _KINDS[2])):
        try:
            reverse(viewname, args=[probe + m if n == place else m for n, m in enumerate(markers)])
        except NoReverseMatch:
            break
        kind = wider
    return kind


def address(viewname: str, *args) -> str:
    """``reverse(viewname, args=args)``, remembered per script prefix and edition (``/fa/``)."""
    return _address((get_script_prefix(), translation.get_language()), viewname, args)


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _address.cache_clear()
        _pattern.cache_clear()
