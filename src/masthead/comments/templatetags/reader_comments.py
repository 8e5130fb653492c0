"""``{% comment_section article %}``: the article's comment mode, its approved comments and the form, in one query."""

from django import template
from django.conf import settings
from django.db.models import FilteredRelation, Q

from masthead.comments.forms import CommentForm
from masthead.comments.models import Comment
from masthead.news.models import Article

register = template.Library()

MESSAGES = {"pending", "published"}


def threads(comments) -> list[tuple[Comment, list[Comment]]]:
    """Top-level comments oldest first, each with its replies oldest first; replies to hidden comments drop out."""
    tops, replies = [], {}
    for comment in comments:
        if comment.parent_id is None:
            tops.append(comment)
        else:
            replies.setdefault(comment.parent_id, []).append(comment)
    return [(top, replies.get(top.pk, [])) for top in tops]


FIELDS = ("id", "parent_id", "name", "body_html", "created_at")


def fetch(article_id: int) -> tuple[list[Comment], str]:
    """The approved comments, oldest first, and the comment mode: one query, whatever the number of comments.

    The article is LEFT JOINed to its mode and to its approved comments only, so it yields one
    row even with neither.
    """
    rows = (Article.objects.filter(pk=article_id)
            .annotate(shown=FilteredRelation("comments", condition=Q(comments__status=Comment.Status.APPROVED)))
            .order_by("shown__created_at", "shown__id")
            .values_list("comment_settings__mode", *(f"shown__{name}" for name in FIELDS)))
    mode, comments = settings.COMMENTS_MODE, []
    for own_mode, *values in rows:
        mode = own_mode or settings.COMMENTS_MODE
        if values[0] is not None:
            comments.append(Comment(article_id=article_id, status=Comment.Status.APPROVED, **dict(zip(FIELDS, values))))
    return comments, mode


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context, article):
    request = context.get("request")
    shown, mode = fetch(article.pk)
    status = request.GET.get("comment") if request is not None else None
    return {
        "article": article,
        "threads": threads(shown),
        "count": len(shown),
        "mode": mode,
        "form": CommentForm(),
        "status": status if status in MESSAGES else None,
    }
