"""Today's desk, the newsroom's first page: what waits for whom, what goes out next, and what just went out."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead import editions
from masthead.audience import lists
from masthead.comments.models import Comment
from masthead.news.models import Article
from masthead.newsroom.desk import countdown_time
from masthead.newsroom.models import StateChange

Status = Article.Status
# Each list shows this many stories; the story list behind its link has the rest.
SHOWN = 12
# How many stories in review, or drafts, the desk orders by time: read through an index by News ID,
# a bounded list keeps the desk's cost flat however long the queue (see _in_review).
CANDIDATES = 200
# Counting a long comment queue exactly would cost every desk page; past this it says "1,000+".
QUEUE_COUNT_CAP = 1000
# Columns the desk's lists show: never the body or its HTML.
_COLUMNS = ("id", "headline", "slug", "language", "status", "published_at", "embargo_until", "breaking_until",
            "updated_at", "created_by", "section")


@dataclass
class Desk:
    """What the desk shows one person; lists of stories, and the comment queue when they moderate."""

    in_review: list = field(default_factory=list)
    scheduled: list = field(default_factory=list)
    drafts: list = field(default_factory=list)
    breaking: list = field(default_factory=list)
    published: list = field(default_factory=list)
    comments_waiting: int | None = None
    comments_capped: bool = False
    oldest_comment_at: datetime | None = None
    queue_age: str = ""
    sees_everyone: bool = False


def stories_for(user):
    """The stories ``user`` works on: every story for an editor, their own for a reporter (as the story list)."""
    stories = Article.objects.only(*_COLUMNS).select_related("section")
    return stories if user.has_perm("news.edit_any_article") else stories.filter(created_by=user)


def can_moderate(user) -> bool:
    return user.is_active and user.has_perm("comments.moderate_comment")


def today(*, user, now: datetime | None = None) -> Desk:
    """The desk for ``user`` at ``now``: each list read through its own index, a few rows each."""
    now = now or timezone.now()
    stories = stories_for(user)
    desk = Desk(sees_everyone=user.has_perm("news.edit_any_article"))
    desk.in_review = _in_review(stories)
    desk.scheduled = list(stories.filter(status=Status.PUBLISHED, published_at__gt=now)
                          .order_by("published_at", "id")[:SHOWN])
    for story in desk.scheduled:
        story.countdown = countdown_time(story.published_at, now=now)
    # The person's newest drafts through the (created_by, id) index, then the last saved first.
    drafts = list(stories.filter(created_by=user, status=Status.DRAFT).order_by("-id")[:CANDIDATES])
    desk.drafts = sorted(drafts, key=lambda story: (story.updated_at, story.pk), reverse=True)[:SHOWN]
    desk.breaking = list(stories.filter(breaking_until__gt=now).order_by("breaking_until", "id")[:SHOWN])
    for story in desk.breaking:
        story.countdown = countdown_time(story.breaking_until, now=now)
    desk.published = list(stories.visible(at=now).newest_first()[:SHOWN])
    _attach_live_times(desk.published)
    if can_moderate(user):
        waiting = Comment.objects.pending()
        found = waiting.order_by()[: QUEUE_COUNT_CAP + 1].count()
        desk.comments_waiting, desk.comments_capped = min(found, QUEUE_COUNT_CAP), found > QUEUE_COUNT_CAP
        desk.oldest_comment_at = waiting.order_by("created_at").values_list("created_at", flat=True).first()
        if desk.oldest_comment_at:
            desk.queue_age = waited(desk.oldest_comment_at, now=now)
    return desk


def _in_review(stories) -> list:
    """Oldest first by when each story was last sent for review, not when it was last edited."""
    # The first CANDIDATES filed of the queue are ordered: a longer queue is not a day's work.
    waiting = list(stories.filter(status=Status.REVIEW).order_by("id")[:CANDIDATES])
    sent = dict(StateChange.objects.filter(article__in=[s.pk for s in waiting], to_state=Status.REVIEW)
                .order_by().values("article").annotate(at=Max("at")).values_list("article", "at"))
    for story in waiting:
        story.submitted_at = sent.get(story.pk)
    # A story without a recorded submission (an import) counts as sent when it was last saved.
    waiting.sort(key=lambda story: (story.submitted_at or story.updated_at, story.pk))
    return waiting[:SHOWN]


def _attach_live_times(stories: list) -> None:
    # The latest move onto the site of each story, in one query for the list.
    moves = (StateChange.objects.filter(article__in=[s.pk for s in stories], to_state=Status.PUBLISHED)
             .order_by("article_id", "-at", "-id").values("article_id", "at", "live_seconds", "live_error"))
    latest = {}
    for move in moves:
        latest.setdefault(move["article_id"], move)
    for story in stories:
        move = latest.get(story.pk, {})
        story.live_seconds, story.live_error = move.get("live_seconds"), move.get("live_error", "")


def waited(moment: datetime, *, now: datetime | None = None) -> str:
    """``2 h 05 min``, ``4 min``, ``3 days``: how long something has waited since ``moment``."""
    seconds = max(0, int(((now or timezone.now()) - moment).total_seconds()))
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    if hours >= 48:
        return _("%(days)d days") % {"days": hours // 24}
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d min") % {"m": minutes}
    return _("%(s)d s") % {"s": seconds}


def most_read(*, now: datetime | None = None, length: int = 5):
    """The stories read most in the last day, every edition together, most read first (audience/lists.py)."""
    found = [entry for language in editions.languages() for entry in lists.most_read(language=language, now=now)]
    return sorted(found, key=lambda entry: (-entry.figure, -entry.news_id))[:length]
