"""Small factories and reader steps for comment tests."""

import itertools

from masthead.comments import captcha
from masthead.comments.models import ArticleComments, Comment

_counter = itertools.count(1)


def make_comment(article, **overrides) -> Comment:
    n = next(_counter)
    fields = {"name": f"Reader {n}", "body": f"Comment number {n}.", "status": Comment.Status.PENDING,
              "ip": "192.0.2.10", "user_agent": "TestBrowser/1.0", **overrides}
    comment = Comment(article=article, **fields)
    comment.save()
    return comment


def set_mode(article, mode: str) -> None:
    ArticleComments.objects.update_or_create(article=article, defaults={"mode": mode})


def new_key(client, article) -> str:
    """Load the Security Key frame as a reader's browser does; return the answer its image shows."""
    response = client.get(f"/comments/{article.pk}/key/")
    assert response.status_code == 200, response.content
    return captcha.answer_for(client.cookies[captcha.COOKIE].value)


def post_comment(client, article, *, key: str | None = None, **fields):
    """Post the comment form as a reader would, with a fresh Security Key unless ``key`` is given."""
    answer = new_key(client, article) if key is None else key
    data = {"name": "Ann Reader", "email": "", "body": "A thoughtful comment.", "key": answer, "website": "", **fields}
    return client.post(f"/comments/{article.pk}/post/", data)
