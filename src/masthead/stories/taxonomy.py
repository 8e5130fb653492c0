"""The one way to change a section, a tag or an author: saved or deleted, every page that shows it purged.

A section's name is in the navigation of nearly every page; a tag's and an author's are on the page
of every story filed under them and in the search index's entry for it; all three have their own
pages and feeds, and the API lists them. ``Model.save()`` and ``delete()`` purge none of these (no
signal does it behind them, as none does for a story): the newsroom, the demo loader, the importer
and anyone in ``masthead shell`` call ``save`` and ``delete`` here.

A tag or an author made for a story (``news.tagging``, the importer's bulk path) needs nothing of
its own: no page shows it until that story's change, which purges the lists it joins.
"""

from collections.abc import Iterable

from django.db import transaction

from masthead import search
from masthead.delivery import keys
from masthead.delivery.purge import purge_on_commit
from masthead.news.models import Article, Author, Section, Tag

Filed = Section | Tag | Author


def page_keys(item: Filed) -> set[str]:
    """The surrogate keys of every page that shows ``item``; feeds, sitemaps and the API's lists
    (``keys.FEEDS``) name sections, tags and authors in their items."""
    if isinstance(item, Section):
        # The navigation lists every section, so any section's change reaches nearly every page: one
        # key that all those pages carry (keys.SECTIONS) says it, rather than a key per section.
        return {item.surrogate_key, keys.SECTIONS, keys.FEEDS}
    if isinstance(item, Tag):
        return {item.surrogate_key, keys.tag_name(item.pk), keys.FEEDS}
    if isinstance(item, Author):
        return {item.surrogate_key, keys.author_name(item.pk), keys.FEEDS}
    raise TypeError(f"stories.taxonomy changes sections, tags and authors, not {type(item).__name__}")


@transaction.atomic
def save(item: Filed) -> Filed:
    """Validate and save ``item`` (new or changed); once it commits, purge every page that shows it."""
    page_keys(item)  # refuses what is not a section, tag or author before anything is written
    stored = type(item).objects.filter(pk=item.pk).first() if item.pk is not None else None
    # A tag's slug is made from its name on save (Tag.save), so an empty one is not an error here.
    item.full_clean(exclude=["slug"] if isinstance(item, Tag) and not item.slug else None)
    item.save()
    if stored is not None and _searched_as(stored) != _searched_as(item):
        search.index_stories(_stories_filed_under(item))
    purge_on_commit(page_keys(item))
    return item


@transaction.atomic
def delete(items: Iterable[Filed]) -> int:
    """Delete ``items``; once it commits, purge every page that showed them. Return how many went.

    A section that still files stories cannot go: Django's ProtectedError names them."""
    count = 0
    for item in items:
        gone = page_keys(item)
        filed = _stories_filed_under(item) if not isinstance(item, Section) else []
        item.delete()
        if filed:  # their entries in the search index still hold its name
            search.index_stories(filed)
        purge_on_commit(gone)
        count += 1
    return count


def _searched_as(item: Filed) -> str | None:
    # What of a tag or an author the search index holds in each story's entry (search.text.document).
    return None if isinstance(item, Section) else item.name


def _stories_filed_under(item: Tag | Author) -> list[int]:
    relation = Article.tags.through if isinstance(item, Tag) else Article.authors.through
    column = "tag_id" if isinstance(item, Tag) else "author_id"
    return list(relation.objects.filter(**{column: item.pk}).values_list("article_id", flat=True))
