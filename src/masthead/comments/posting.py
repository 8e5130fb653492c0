"""Taking a reader's comment: every check in order, cheapest first, and nothing stored unless all pass."""

import enum
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _, gettext_lazy

from masthead.comments import captcha
from masthead.comments.forms import CommentForm
from masthead.comments.models import ArticleComments, Ban, Comment, Mode
from masthead.ratelimit import Limit, hit, exceeded, retry_after
from masthead.delivery.purge import purge_on_commit
from masthead.news.models import Article


class Result(enum.Enum):
    PUBLISHED = "published"
    PENDING = "pending"
    INVALID = "invalid"
    BAD_KEY = "bad-key"
    TOO_FAST = "too-fast"
    CLOSED = "closed"
    REFUSED = "refused"


@dataclass
class Outcome:
    result: Result
    form: CommentForm
    comment: Comment | None = None
    message: str = ""
    retry_after: int | None = None
    status: int = 303
    errors: list[str] = field(default_factory=list)


def limits() -> dict[str, Limit]:
    """The configured limits, parsed; a malformed one fails at start-up naming its variable."""
    return {
        "ip": Limit.parse(settings.COMMENT_RATE_PER_IP, setting="MASTHEAD_COMMENT_RATE_PER_IP"),
        "article": Limit.parse(settings.COMMENT_RATE_PER_ARTICLE, setting="MASTHEAD_COMMENT_RATE_PER_ARTICLE"),
        "failures": Limit.parse(settings.CAPTCHA_FAILURES_PER_IP, setting="MASTHEAD_CAPTCHA_FAILURES_PER_IP"),
        "keys": Limit.parse(settings.CAPTCHA_KEYS_PER_IP, setting="MASTHEAD_CAPTCHA_KEYS_PER_IP"),
    }


def mode_of(article: Article) -> str:
    """The article's comment mode, or the site default (MASTHEAD_COMMENTS_MODE)."""
    own = ArticleComments.objects.filter(article_id=article.pk).values_list("mode", flat=True).first()
    return own or settings.COMMENTS_MODE


def is_banned(*, ip: str = "", email: str = "") -> bool:
    """Whether comments from this IP address or email address are refused."""
    query = Q(pk__in=[])
    if ip:
        query |= Q(kind=Ban.Kind.IP, value=ip)
    if email.strip():
        query |= Q(kind=Ban.Kind.EMAIL, value=email.strip().lower())
    return Ban.objects.filter(query).exists()


KEY_MESSAGES = {
    captcha.Verdict.MISSING: gettext_lazy("Type the Security Key shown in the image (or read aloud) before posting."),
    captcha.Verdict.EXPIRED: gettext_lazy("That Security Key has expired or was already used: type the new one and post again."),
    captcha.Verdict.WRONG_FORM: gettext_lazy("That Security Key belongs to another article's form: type the new one and post again."),
    captcha.Verdict.WRONG: gettext_lazy("The Security Key you typed does not match the image: type the new one and post again."),
}


def submit(article: Article, data, *, token: str | None, ip: str, user_agent: str) -> Outcome:
    """Check and store one comment posted to ``article``; the outcome says what the reader should see."""
    form = CommentForm(data)
    limit = limits()
    mode = mode_of(article)
    if mode == Mode.CLOSED:
        return Outcome(Result.CLOSED, form, status=403, message=_("Comments on this article are closed."))
    if exceeded("key-failures", ip, limit["failures"]):
        wait = retry_after(limit["failures"])
        return Outcome(Result.TOO_FAST, form, status=429, retry_after=wait,
                       message=_("Too many wrong Security Keys from your address: wait %(minutes)d minutes and try again.")
                       % {"minutes": max(1, round(wait / 60))})
    if form.is_bot():
        # Told it worked, so it learns nothing; the key is spent and nothing is stored.
        captcha.consume(token, "", article_id=article.pk)
        return Outcome(Result.PENDING, form)
    if not form.is_valid():
        return Outcome(Result.INVALID, form, status=400, message=_("Your comment was not posted: see below."))
    verdict = captcha.consume(token, form.cleaned_data["key"], article_id=article.pk)
    if verdict is not captcha.Verdict.OK:
        hit("key-failures", ip, limit["failures"])
        return Outcome(Result.BAD_KEY, form, status=400, message=str(KEY_MESSAGES[verdict]))
    if is_banned(ip=ip, email=form.cleaned_data["email"]):
        return Outcome(Result.REFUSED, form, status=403, message=_("Comments from this address are not accepted."))
    if not hit("comments-ip", ip, limit["ip"]):
        return Outcome(Result.TOO_FAST, form, status=429, retry_after=retry_after(limit["ip"]),
                       message=_("You are posting too fast: wait a few minutes and post again."))
    if not hit("comments-article", str(article.pk), limit["article"]):
        return Outcome(Result.TOO_FAST, form, status=429, retry_after=retry_after(limit["article"]),
                       message=_("This article is receiving many comments right now: wait a minute and post again."))
    parent = None
    if form.cleaned_data["parent"]:
        parent = Comment.objects.shown().filter(article=article, pk=form.cleaned_data["parent"], parent=None).first()
        if parent is None:
            return Outcome(Result.INVALID, form, status=400,
                           message=_("The comment you are replying to is not there any more."))
    return Outcome(*_store(article, form, parent=parent, ip=ip, user_agent=user_agent, trusted=mode == Mode.OPEN))


@transaction.atomic
def _store(article: Article, form: CommentForm, *, parent, ip: str, user_agent: str, trusted: bool):
    comment = Comment(
        article=article, parent=parent, name=form.cleaned_data["name"], email=form.cleaned_data["email"],
        body=form.cleaned_data["body"], status=Comment.Status.APPROVED if trusted else Comment.Status.PENDING,
        ip=ip or None, user_agent=user_agent[:300],
    )
    # Field and reply rules in Python; the article is already loaded and the database enforces the
    # check constraints, so skip the queries that would re-check them.
    comment.full_clean(exclude=["body_html", "article"], validate_constraints=False)
    comment.save()
    if trusted:
        purge_on_commit({article.surrogate_key})
        return Result.PUBLISHED, form, comment
    return Result.PENDING, form, comment
