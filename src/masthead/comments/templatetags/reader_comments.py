"""``{% comment_section article %}``: the approved comments and the form, in two queries."""

from django import template

from masthead.comments import posting
from masthead.comments.forms import CommentForm
from masthead.comments.models import Comment

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


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context, article):
    request = context.get("request")
    shown = list(Comment.objects.shown().filter(article=article)
                 .only("id", "parent_id", "name", "body_html", "created_at"))
    status = request.GET.get("comment") if request is not None else None
    return {
        "article": article,
        "threads": threads(shown),
        "count": len(shown),
        "mode": posting.mode_of(article),
        "form": CommentForm(),
        "status": status if status in MESSAGES else None,
    }
