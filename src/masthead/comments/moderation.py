"""The moderation desk's work: approve, reject, mark spam, ban; each purges only the articles it changed."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from masthead.comments.models import Ban, Comment
from masthead.delivery.purge import purge_on_commit
from masthead.news.models import Article

MODERATOR_GROUP = "moderator"
# Editors may moderate too. The group is matched by name: the newsroom defines its roles.
EDITOR_GROUP = "editor"


def can_moderate(user) -> bool:
    """Moderators, editors and superusers may act on comments; nobody else, whatever else they may do."""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser or user.has_perm("comments.moderate_comment"):
        return True
    return user.groups.filter(name__in=[MODERATOR_GROUP, EDITOR_GROUP]).exists()


DESK_PERMISSIONS = ["view_comment", "change_comment", "moderate_comment", "view_ban", "add_ban", "change_ban",
                    "delete_ban", "view_articlecomments", "add_articlecomments", "change_articlecomments",
                    "delete_articlecomments"]


def moderator_group():
    """The moderator role with the desk's permissions (the migration makes it; this makes it again if removed)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=MODERATOR_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="comments", codename__in=DESK_PERMISSIONS))
    return group


def _purge_articles(article_ids) -> None:
    purge_on_commit({Article(pk=pk).surrogate_key for pk in article_ids})


@transaction.atomic
def set_status(comments, status: str, *, by) -> int:
    """Give ``comments`` a new status; purge the page of every article whose shown comments changed."""
    changing = Comment.objects.filter(pk__in=[c.pk for c in comments]).exclude(status=status)
    shown_before = set(changing.filter(status=Comment.Status.APPROVED).values_list("article_id", flat=True))
    article_ids = set(changing.values_list("article_id", flat=True))
    count = changing.update(status=status, moderated_at=timezone.now(), moderated_by=by)
    if status == Comment.Status.APPROVED:
        _purge_articles(article_ids)
    else:
        _purge_articles(shown_before)
    return count


def approve(comments, *, by) -> int:
    return set_status(comments, Comment.Status.APPROVED, by=by)


def reject(comments, *, by) -> int:
    return set_status(comments, Comment.Status.REJECTED, by=by)


def mark_spam(comments, *, by) -> int:
    return set_status(comments, Comment.Status.SPAM, by=by)


@transaction.atomic
def ban(comments, kind: str, *, by) -> list[str]:
    """Ban the IP or email addresses of ``comments`` and mark those comments spam; return the new bans."""
    values = set()
    for comment in comments:
        value = comment.ip if kind == Ban.Kind.IP else comment.email.strip().lower()
        if value:
            values.add(value)
    created = []
    for value in sorted(values):
        _, new = Ban.objects.get_or_create(kind=kind, value=value, defaults={"created_by": by})
        if new:
            created.append(value)
    mark_spam(comments, by=by)
    return created


def queue_age():
    """When the oldest pending comment was written, or None when the queue is empty."""
    return Comment.objects.pending().aggregate(oldest=Min("created_at"))["oldest"]


def mode_changed(article: Article) -> None:
    """An article's comments were opened, closed or moderated: its page shows the new form or none."""
    purge_on_commit({article.surrogate_key})


@transaction.atomic
def prune(*, days: int) -> dict[str, int]:
    """Forget what moderation no longer needs after ``days``: addresses, browsers, refused comments, old keys."""
    from masthead.comments import captcha

    cutoff = timezone.now() - timedelta(days=days)
    old = Comment.objects.filter(created_at__lt=cutoff)
    removed = old.filter(status__in=[Comment.Status.REJECTED, Comment.Status.SPAM]).delete()[1].get("comments.Comment", 0)
    erased = old.exclude(ip=None, user_agent="").update(ip=None, user_agent="")
    return {"erased": erased, "deleted": removed, "keys": captcha.sweep()}
