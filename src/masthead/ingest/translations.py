"""Links between an imported story and its translation, made once a whole run is in.

A reader gives an item's ``translation_of``: the other story's News ID (digits) or its key in
the same source (a ninjs ``uri``, a WordPress post id). Either story may come first in the input,
or have come in an earlier run, so links are made after the last batch, each through the story
service (``stories.changes.link_translation``), which purges both pages after it commits. A
reference that names no story, or a story in the same language, is reported and left out; the
stories themselves are in already.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from masthead.ingest.items import ImportFailed
from masthead.ingest.models import SourceRecord
from masthead.news.models import Article
from masthead.stories import bulk, changes, rules
from masthead.syndication.models import LanguageEdition

# Imports run without an account act as the named system account, which cannot sign in and so
# has no permissions of its own: the link is made in the product's name, as the story rows were.
IMPORTER = rules.System("import")


@dataclass(frozen=True)
class Pending:
    origin: str  # the item, for messages
    source: str
    reference: str  # what the item gave as translation_of
    article_id: int  # the story the item became


def original_id(pending: Pending) -> int | None:
    """The News ID the reference names: digits are a News ID, anything else a key in the item's source."""
    reference = pending.reference.strip()
    if reference.isascii() and reference.isdigit():
        return int(reference) if Article.objects.filter(pk=int(reference)).exists() else None
    return (SourceRecord.objects.filter(source=pending.source, source_key=reference)
            .values_list("article_id", flat=True).first())


def link(pending: list[Pending], *, by) -> list[ImportFailed]:
    """Link each item's story to the story it names; return what could not be linked, and why."""
    actor = IMPORTER if by is None or getattr(by, "username", None) == bulk.SYSTEM_ACTOR else by
    problems = []
    for entry in pending:
        other = original_id(entry)
        if other is None:
            problems.append(ImportFailed(entry.origin, f"translation_of {entry.reference!r} names no story in "
                                                       f"this import or the site, so it was not linked"))
            continue
        if other == entry.article_id:
            problems.append(ImportFailed(entry.origin, f"translation_of {entry.reference!r} names the story itself"))
            continue
        keys = dict(LanguageEdition.objects.filter(article_id__in=[entry.article_id, other]).values_list("article_id", "story"))
        if len(keys) == 2 and keys[entry.article_id] == keys[other]:
            continue  # linked already: a re-import changes nothing
        try:
            changes.link_translation(entry.article_id, of=other, by=actor)
        except (ValueError, PermissionDenied) as error:  # the same language; an account that may not edit one of them
            problems.append(ImportFailed(entry.origin, f"translation_of {entry.reference!r} was not linked: {error}"))
    return problems
