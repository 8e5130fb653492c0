"""Marking syndication responses for the page cache, as the public pages are marked."""

from django.utils import timezone

from masthead.news.models import Article


def cacheable(response, keys, *, last_modified=None):
    """Mark ``response`` for the page cache under ``keys``, no longer than the next scheduled story.

    Every save purges the key ``feeds``, so anything listing stories carries it.
    """
    response.surrogate_keys = set(keys)
    response.last_modified = last_modified
    upcoming = Article.objects.next_scheduled_time()
    if upcoming is not None:
        response.cache_lifetime = max(0, int((upcoming - timezone.now()).total_seconds()))
    return response


def readable_from_any_site(response):
    """Let partners' web apps read this public answer from their own pages (CORS).

    Safe for answers that are the same for everyone: ``*`` never sends the reader's cookies.
    """
    response["Access-Control-Allow-Origin"] = "*"
    return response
