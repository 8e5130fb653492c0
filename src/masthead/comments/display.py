"""The comments under an article: its comment mode, its approved comments and the form, in one query."""

from dataclasses import dataclass

from django.conf import settings
from django.template import loader
from markupsafe import Markup

from masthead import fragments
from masthead.comments.forms import CommentForm
from masthead.comments.models import ArticleComments, Comment
from masthead.news import rows
from masthead.news.models import Article

MESSAGES = {"pending", "published"}
SHOWN_FIELDS = ("name", "email", "body")
# Stands in for the News ID while the empty form is written: digits, which every address pattern
# takes, and a number no text of the form holds.
_STAND_IN = 739_100_008_264


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


def empty_form(news_id: int) -> Markup:
    """The empty comment form under the story ``news_id``.

    The same on every story page but for the News ID in its addresses: written once per edition
    (``fragments.kept``) with a stand-in number, which each page replaces with its own.
    """
    form = fragments.kept(("comment-form",), lambda: loader.render_to_string(
        "comments/_form.html", {"article": Article(pk=_STAND_IN), "entry": comment_form(), "message": None}))
    return Markup(form.replace(str(_STAND_IN), str(news_id)))


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
    if article.__dict__.get("known_commented") is False:  # the story page read its mode and that it has none
        shown, mode = [], article.known_comment_mode or settings.COMMENTS_MODE
    else:
        shown, mode = fetch(article.pk)
    status = request.GET.get("comment") if request is not None else None
    return {
        "article": article,
        "threads": threads(shown),
        "count": len(shown),
        "mode": mode,
        "form": empty_form(article.pk),
        "status": status if status in MESSAGES else None,
    }
