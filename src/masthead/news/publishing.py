"""What publication means for a story's row: storing it, its publish and unpublish states, the pages it touches.

Nothing here changes anything else: ``masthead.stories.changes`` calls these, and brings the
indexes, the revisions and the caches in step around them.
"""

from datetime import datetime

from django.utils import timezone

from masthead.delivery import keys
from masthead.news.models import Article

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


def keys_before_edit(article: Article) -> set[str]:
    """The surrogate keys of the stored version of ``article`` (none for a new story)."""
    old = Article.objects.filter(pk=article.pk).first() if article.pk else None
    return surrogate_keys(old) if old is not None else set()


def store(article: Article, *, tags=None, authors=None) -> Article:
    """Validate and save ``article`` and its tags and authors (None: leave them as they are)."""
    article.full_clean(exclude={"tags", "authors"})
    article.save()
    if tags is not None:
        article.tags.set(tags)
    if authors is not None:
        article.authors.set(authors)
    return article


def mark_published(article: Article, *, at: datetime | None = None) -> None:
    """Publish ``article`` now, or schedule it for ``at``; it becomes visible at that second."""
    article.status = Article.Status.PUBLISHED
    article.published_at = at or article.published_at or timezone.now()
    if at is None and article.published_at > timezone.now():
        article.published_at = timezone.now()


def mark_unpublished(article: Article) -> None:
    """Take ``article`` off the site at once."""
    article.status = Article.Status.UNPUBLISHED
