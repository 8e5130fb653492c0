"""What publication means for a story's row: storing it, its publish and unpublish states, the pages it touches.

Nothing here changes anything else: ``masthead.stories.changes`` calls these, and brings the
indexes, the revisions and the caches in step around them.
"""

from datetime import datetime

from django.db import connections, router
from django.utils import timezone

from masthead.delivery import keys
from masthead.news import rows, storypage
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


# The newest visible stories under one tag, from the tag's end of its (tag, published_at, story) index
# (migration news/0013): asked across the tags at once, the planner walked every story newer than the
# tags' newest (950,000 stories, 7 s a save, for a story whose tags were all years old).
_NEWEST_TAGGED = (
    f'SELECT * FROM (SELECT x."article_id", x."published_at" FROM {rows.table(Article.tags.through)} x '
    f'JOIN {rows.table(Article)} a ON a."id" = x."article_id" WHERE x."tag_id" = %s AND x."published_at" <= %s '
    f'AND {storypage.VISIBLE_ANY_EDITION} AND x."article_id" <> %s '
    'ORDER BY x."published_at" DESC, x."article_id" DESC LIMIT {count}) AS "tag_{n}"')


def choose_related(article: Article) -> list[int]:
    """News IDs of the newest visible stories sharing a tag, topped up from the same section."""
    visible = Article.objects.visible().exclude(pk=article.pk).newest_first()
    tag_ids = list(article.tags.values_list("pk", flat=True))
    chosen = []
    if tag_ids:
        using = article._state.db or router.db_for_write(Article)
        now = connections[using].ops.adapt_datetimefield_value(timezone.now())
        statement = " UNION ALL ".join(_NEWEST_TAGGED.format(count=RELATED_COUNT, n=n) for n in range(len(tag_ids)))
        params = [value for pk in tag_ids for value in (pk, now, now, now, Article.Status.PUBLISHED, article.pk)]
        for pk, _at in sorted(rows.tuples(statement, params, using=using), key=lambda row: (row[1], row[0]), reverse=True):
            if pk not in chosen and len(chosen) < RELATED_COUNT:
                chosen.append(pk)
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
