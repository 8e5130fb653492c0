"""Revisions as the newsroom shows them: any two compared side by side (``stories.history`` keeps them)."""

import difflib
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from masthead.newsroom.models import Revision
from masthead.stories.history import FIELDS


def _text(value) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return "\n".join(str(name) for _, name in value)
        return str(value[1]) if len(value) == 2 and not isinstance(value[1], list) else ""
    return "" if value is None else str(value)


@dataclass
class FieldDiff:
    label: str
    table: SafeString


def diff(older: Revision, newer: Revision) -> list[FieldDiff]:
    """Side-by-side HTML tables of what differs between two revisions, field by field (text escaped)."""
    differ = difflib.HtmlDiff(wrapcolumn=72)
    found = []
    for name, label in FIELDS.items():
        before, after = _text(older.data.get(name)), _text(newer.data.get(name))
        if before == after:
            continue
        # HtmlDiff escapes &, < and > in the text it lays out; the table around it is its own.
        table = differ.make_table(before.splitlines() or [""], after.splitlines() or [""],
                                  fromdesc=escape(_("Revision %d") % older.number),
                                  todesc=escape(_("Revision %d") % newer.number), context=name == "body", numlines=2)
        found.append(FieldDiff(label=label, table=mark_safe(table)))
    return found
