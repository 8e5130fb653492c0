"""Text that is not text: the one definition of characters no stored or served string may hold.

Refused on the way in (a story's fields, a comment, an import) and left out on the way out
(feeds, sitemaps, JSON, HTML), so what is stored can never make an output invalid. XML 1.0
allows no C0 control but tab, newline and carriage return, and no U+FFFE/U+FFFF; C1 controls
and lone surrogates are never meant as text either: https://www.w3.org/TR/xml/#charsets
"""

import re

NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def first_bad(text: str) -> str | None:
    """A description of the first character in ``text`` that is not text, like ``U+0001 at 12``, or None."""
    match = NOT_TEXT.search(text or "")
    if match is None:
        return None
    return f"U+{ord(match.group()):04X} at character {match.start() + 1}"


def strip(text: str) -> str:
    """``text`` without the characters that are not text (for output of what was stored before)."""
    return NOT_TEXT.sub("", text) if text else text


def strip_all(value):
    """``value`` (a string, or JSON-like lists, tuples and dicts of them) with every string stripped.

    Anything else (numbers, dates, None) is returned as it is.
    """
    if isinstance(value, str):
        return strip(value)
    if isinstance(value, dict):
        return {strip_all(key): strip_all(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(strip_all(item) for item in value)
    return value
