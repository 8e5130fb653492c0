"""Saving, publishing and unpublishing stories, and purging exactly the pages they touch."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from masthead import search
from masthead.delivery import keys
from masthead.delivery.purge import purge_on_commit
from masthead.news.models import Article
from masthead.syndication import websub

RELATED_COUNT = 5


def surrogate_keys(article: Article) -> set[str]:
    """The keys of every page that shows ``article``: itself, its section, tags, authors, home, archive."""
    found = {article.surrogate_key, keys.HOME, keys.FEEDS, keys.section(article.section_id)}
    found.update(keys.tag(pk) for pk in article.tags.values_list("pk", flat=True))
    found.update(keys.author(pk) for pk in article.authors.values_list("pk", flat=True))
    if article.published_at:
        found.add(keys.archive_day(article.published_at))
    return found


def choose_related(article: Article) -> list[int]:
    """News IDs of the newest visible stories sharing a tag, topped up from the same section."""
    visible = Article.objects.visible().exclude(pk=article.pk).newest_first()
    tag_ids = list(article.tags.values_list("pk", flat=True))
    chosen = list(visible.filter(tags__in=tag_ids).values_list("pk", flat=True).distinct()[:RELATED_COUNT]) if tag_ids else []
    if len(chosen) < RELATED_COUNT:
        more = visible.filter(section_id=article.section_id).exclude(pk__in=chosen)
        chosen += list(more.values_list("pk", flat=True)[: RELATED_COUNT - len(chosen)])
    return chosen


@transaction.atomic
def save(article: Article, *, tags=None, authors=None, before: set[str] | None = None) -> Article:
    """Validate and save ``article`` (and its tags and authors), then purge what it was and is.

    ``before`` is the surrogate keys the story had before the edit (a move to another section
    or a removed tag must purge the old pages too); it is read from the database when omitted.
    """
    if before is None:
        before = keys_before_edit(article)
    article.full_clean(exclude={"tags", "authors"})
    article.save()
    if tags is not None:
        article.tags.set(tags)
    if authors is not None:
        article.authors.set(authors)
    saved(article, before=before)
    return article


def keys_before_edit(article: Article) -> set[str]:
    """The surrogate keys of the stored version of ``article`` (none for a new story)."""
    old = Article.objects.filter(pk=article.pk).first() if article.pk else None
    return surrogate_keys(old) if old is not None else set()


def saved(article: Article, *, before: set[str]) -> None:
    """After ``article`` and its tags and authors are stored: choose related stories, index it, purge pages."""
    related = choose_related(article)
    if related != article.related_ids:
        article.related_ids = related
        Article.objects.filter(pk=article.pk).update(related_ids=related)
    search.index(article)
    purge_on_commit(before | surrogate_keys(article))
    websub.notify_on_commit(article)


def publish(article: Article, *, at: datetime | None = None) -> Article:
    """Publish ``article`` now, or schedule it for ``at``; it becomes visible at that second."""
    article.status = Article.Status.PUBLISHED
    article.published_at = at or article.published_at or timezone.now()
    if at is None and article.published_at > timezone.now():
        article.published_at = timezone.now()
    return save(article)


def unpublish(article: Article) -> Article:
    """Take ``article`` off the site at once."""
    article.status = Article.Status.UNPUBLISHED
    return save(article)
