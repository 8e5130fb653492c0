"""The reader's side: the Security Key frame, image and audio, posting, and the reply form.

The article page is cached whole and shared by every anonymous reader, so it holds nothing per
reader: the Security Key lives in a small frame (``key/``) that issues a new key on each load
and puts its token in a cookie scoped to ``/comments/<News ID>/``. The **refresh** link targets
that frame by name, so it works without JavaScript and keeps what the reader has typed.
"""

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from masthead import parameters
from masthead.comments import captcha, posting
from masthead.comments.forms import CommentForm
from masthead.comments.models import Comment
from masthead.ratelimit import Limit, client_ip, hit, retry_after
from masthead.news.models import Article


class TooMany(Exception):
    def __init__(self, wait: int):
        self.wait = wait


def _too_many(error: TooMany) -> HttpResponse:
    response = HttpResponse(_("Too many Security Keys drawn from your address: wait a few minutes."),
                            status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(error.wait)
    return response


def _visible_article(news_id: int) -> Article:
    story = Article.objects.visible().only("id", "slug", "headline", "language").filter(pk=news_id).first()
    if story is None:
        raise Http404(_("No story with News ID %(id)s.") % {"id": news_id})
    return story


def _ip(request) -> str:
    return client_ip(request, proxy_hops=settings.PROXY_HOPS)


def _key_path(news_id: int) -> str:
    return reverse("comments:post", args=[news_id]).rsplit("/", 2)[0] + "/"


@never_cache
@require_GET
@xframe_options_sameorigin
def key_frame(request, news_id: int):
    """A new Security Key: its image and audio, in a frame the comment form shows."""
    story = _visible_article(news_id)
    if posting.mode_of(story) == "closed":
        return render(request, "comments/key_frame.html", {"article": story, "closed": True}, status=403)
    limit = posting.limits()["keys"]
    if not hit("keys-ip", _ip(request), limit):
        return render(request, "comments/key_frame.html", {"article": story, "throttled": True,
                                                           "minutes": max(1, round(retry_after(limit) / 60))}, status=429)
    token = captcha.issue(article_id=story.pk)
    response = render(request, "comments/key_frame.html", {"article": story, "version": secrets.token_hex(4)})
    response.set_cookie(captcha.COOKIE, token, max_age=settings.CAPTCHA_SECONDS, path=_key_path(story.pk),
                        secure=settings.PRODUCTION, httponly=True, samesite="Strict")
    return response


def _current_token(request, news_id: int) -> str:
    # Drawing costs CPU: an address may draw a few times as many images and sounds as it gets keys.
    keys = posting.limits()["keys"]
    if not hit("renders-ip", _ip(request), Limit(keys.count * 3, keys.seconds)):
        raise TooMany(retry_after(keys))
    token = request.COOKIES.get(captcha.COOKIE, "")
    if not captcha.current(token, article_id=news_id):
        raise Http404(_("This Security Key has expired or was used: ask for a new one."))
    return token


@never_cache
@require_GET
def key_image(request, news_id: int):
    try:
        return HttpResponse(captcha.image_png(_current_token(request, news_id)), content_type="image/png")
    except TooMany as error:
        return _too_many(error)


@never_cache
@require_GET
def key_audio(request, news_id: int):
    try:
        return HttpResponse(captcha.audio_wav(_current_token(request, news_id)), content_type="audio/wav")
    except TooMany as error:
        return _too_many(error)


@never_cache
@require_GET
def key_answer(request, news_id: int):
    """Test-only: the answer to this browser's key, for browser tests. Off unless MASTHEAD_CAPTCHA_TEST_HOOK."""
    if not settings.CAPTCHA_TEST_HOOK or settings.PRODUCTION:
        raise Http404("Not here.")
    return HttpResponse(captcha.answer_for(_current_token(request, news_id)), content_type="text/plain")


# Exempt from Django's CSRF check on purpose. The form sits on a page cached whole for every
# anonymous reader, so it cannot carry a per-reader CSRF token. The protection is the Security
# Key itself: the post must carry a single-use token held in an HttpOnly, SameSite=Strict cookie
# scoped to this article's comment path (a cross-site form cannot send it) together with the
# answer that only the reader's own image shows. And this view uses no ambient authority: it
# ignores sessions and logins, so a forged post could do nothing its author could not do directly.
@csrf_exempt
@never_cache
@require_POST
def post(request, news_id: int):
    story = _visible_article(news_id)
    outcome = posting.submit(story, request.POST, token=request.COOKIES.get(captcha.COOKIE),
                             ip=_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
    if outcome.result in (posting.Result.PENDING, posting.Result.PUBLISHED):
        anchor = f"comment-{outcome.comment.pk}" if outcome.result == posting.Result.PUBLISHED else "comment-status"
        url = f"{story.get_absolute_url()}?{urlencode({'comment': outcome.result.value})}#{anchor}"
        return HttpResponseRedirect(url, status=303)
    parent = _parent(story, outcome.form.data.get("parent"))
    response = render(request, "comments/form_page.html", {
        "article": story, "form": outcome.form, "message": outcome.message, "parent": parent,
        "result": outcome.result.value, "closed": outcome.result == posting.Result.CLOSED,
    }, status=outcome.status)
    if outcome.retry_after:
        response["Retry-After"] = str(outcome.retry_after)
    return response


def _parent(story: Article, raw) -> Comment | None:
    try:
        pk = parameters.database_id(raw, name="parent") if isinstance(raw, str) and raw else None
    except parameters.BadParameter:
        return None
    return Comment.objects.shown().filter(article=story, pk=pk, parent=None).first() if pk else None


@never_cache
@require_GET
def reply(request, news_id: int, comment_id: int):
    """The comment form answering one approved comment (replies go one level deep)."""
    story = _visible_article(news_id)
    parent = get_object_or_404(Comment.objects.shown(), article=story, pk=comment_id, parent=None)
    if posting.mode_of(story) == "closed":
        return render(request, "comments/form_page.html", {"article": story, "closed": True}, status=403)
    form = CommentForm(initial={"parent": parent.pk})
    return render(request, "comments/form_page.html", {"article": story, "form": form, "parent": parent})
