"""The comments under an article: its comment mode, its approved comments and the form, in one query."""

from dataclasses import dataclass

from django.conf import settings

from masthead.comments.forms import CommentForm
from masthead.comments.models import ArticleComments, Comment
from masthead.news import rows
from masthead.news.models import Article

MESSAGES = {"pending", "published"}
SHOWN_FIELDS = ("name", "email", "body")


@dataclass(frozen=True)
class Field:
    name: str
    id: str
    label: str
    value: str
    errors: tuple[str, ...] = ()


def comment_form(form: CommentForm | None = None) -> dict:
    """What ``comments/_form.html`` writes: the shown fields of a posted ``form``, or empty ones.

    Every article page carries the empty form; it is written from the form's field definitions
    without building a Django form (about a tenth of an uncached page's time).
    """
    if form is None:
        fields = [Field(name, f"id_{name}", CommentForm.base_fields[name].label, "") for name in SHOWN_FIELDS]
        return {"fields": fields, "parent": None, "max_length": settings.COMMENT_MAX_LENGTH}
    fields = [Field(name, bound.id_for_label, bound.label, "" if bound.value() is None else bound.value(),
                    tuple(bound.errors)) for name in SHOWN_FIELDS for bound in [form[name]]]
    return {"fields": fields, "parent": form["parent"].value(), "max_length": form.max_length}


def threads(comments) -> list[tuple[Comment, list[Comment]]]:
    """Top-level comments oldest first, each with its replies oldest first; replies to hidden comments drop out."""
    tops, replies = [], {}
    for comment in comments:
        if comment.parent_id is None:
            tops.append(comment)
        else:
            replies.setdefault(comment.parent_id, []).append(comment)
    return [(top, replies.get(top.pk, [])) for top in tops]


# The article LEFT JOINed to its mode and to its approved comments only, so it yields one row
# even with neither.
_COMMENTS = (
    'SELECT c."id", c."parent_id", c."name", c."body_html", c."created_at", s."mode" AS "article_mode" '
    f'FROM {rows.table(Article)} a LEFT JOIN {rows.table(ArticleComments)} s ON s."article_id" = a."id" '
    f'LEFT JOIN {rows.table(Comment)} c ON c."article_id" = a."id" AND c."status" = %s '
    'WHERE a."id" = %s ORDER BY c."created_at", c."id"'
)


def fetch(article_id: int) -> tuple[list[Comment], str]:
    """The approved comments, oldest first, and the comment mode: one query, whatever the number of comments.

    Written as SQL: on an uncached article page the ORM's work building this query cost more
    than the database's answering it (see news/storypage.py).
    """
    mode, comments = settings.COMMENTS_MODE, []
    for row in rows.fetch(Comment, _COMMENTS, [Comment.Status.APPROVED, article_id]):
        mode = row.article_mode or settings.COMMENTS_MODE
        if row.pk is not None:
            row.article_id, row.status = article_id, Comment.Status.APPROVED
            comments.append(row)
    return comments, mode


def comment_section(article, request) -> dict:
    """The context of ``comments/_section.html``."""
    shown, mode = fetch(article.pk)
    status = request.GET.get("comment") if request is not None else None
    return {
        "article": article,
        "threads": threads(shown),
        "count": len(shown),
        "mode": mode,
        "entry": comment_form(),
        "status": status if status in MESSAGES else None,
    }
