"""Everything derived from a story, kept in step by every change: search, headline words, related stories, caches."""

from collections.abc import Callable

from django.db import transaction

from masthead import search
from masthead.delivery import purge
from masthead.delivery.purge import purge_on_commit
from masthead.news import publishing
from masthead.news.models import Article, HeadlineWord
from masthead.syndication import websub


def refresh(article: Article) -> None:
    """Bring the indexes in step with ``article`` as now stored, in the caller's transaction.

    In the same transaction as the story, so a publish is found the moment it commits and a
    rolled-back change leaves no index entry behind.
    """
    HeadlineWord.index(article)
    related = publishing.choose_related(article)
    if related != article.related_ids:
        article.related_ids = related
        Article.objects.filter(pk=article.pk).update(related_ids=related)
    search.index(article)


def after_commit(article: Article, *, before: set[str], also: set[str] = frozenset(),
                 then: Callable[[list[purge.Purged]], None] | None = None) -> None:
    """Once the change commits: purge every page the story was and is on (and ``also``), and tell the WebSub hub.

    ``then`` is given what every cache reported, once the purge is done."""
    keys = before | publishing.surrogate_keys(article) | set(also)
    if then is None:
        purge_on_commit(keys)
    else:
        def purge_and_report():
            with purge.watch() as seen:
                purge.purge(keys)
            then(seen)
        transaction.on_commit(purge_and_report)
    websub.notify_on_commit(article)
