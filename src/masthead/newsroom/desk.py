"""The desk beside each story: its state and audit trail, the moves it allows, revisions, and preview."""

from datetime import datetime, timezone as dt_timezone

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from masthead import house, parameters
from masthead.delivery import purge
from masthead.news.models import Article
from masthead.newsroom import moments, revisions as revision_log
from masthead.stories import changes, rules
from masthead.newsroom.models import Revision

Status = Article.Status


# The words of a countdown. countdown.js ticks it with these same words, read from the page
# (countdown_time), so a Persian desk keeps counting in Persian after its first second.
COUNTDOWN_WORDS = {
    "now": gettext_lazy("now"),
    "days": gettext_lazy("in %(days)d days"),
    "hours": gettext_lazy("in %(h)d h %(m)02d min"),
    "minutes": gettext_lazy("in %(m)d min %(s)02d s"),
    "seconds": gettext_lazy("in %(s)d s"),
}


def countdown(moment: datetime, *, now: datetime | None = None) -> str:
    """``in 2 h 05 min``, ``in 4 min 10 s``, ``in 9 s``: how long until a scheduled story appears."""
    left = int((moment - (now or timezone.now())).total_seconds())
    if left <= 0:
        return str(COUNTDOWN_WORDS["now"])
    hours, rest = divmod(left, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours >= 48:
        text = COUNTDOWN_WORDS["days"] % {"days": hours // 24}
    elif hours:
        text = COUNTDOWN_WORDS["hours"] % {"h": hours, "m": minutes}
    elif minutes:
        text = COUNTDOWN_WORDS["minutes"] % {"m": minutes, "s": seconds}
    else:
        text = COUNTDOWN_WORDS["seconds"] % {"s": seconds}
    return house.digits(text)


def countdown_time(moment: datetime | None, *, now: datetime | None = None) -> str:
    """The countdown to ``moment`` as a ``<time>`` that countdown.js keeps ticking in the page's language.

    Nothing for no moment: a row whose time the database cannot read must not take the desk down."""
    if moment is None:
        return ""
    words = format_html_join(" ", 'data-countdown-{}="{}"', ((key, word) for key, word in COUNTDOWN_WORDS.items()))
    return format_html('<time datetime="{}" data-countdown data-countdown-digits="{}" {}>{}</time>',
                       house.machine(moment), house.digits("0123456789"), words, countdown(moment, now=now))


def context(request, article: Article) -> dict:
    """What the desk panel under the story form shows and offers to this user."""
    user = request.user
    state = article.state
    editor = rules.can_publish(user)
    return {
        "article": article,
        "state": state,
        "countdown": countdown_time(article.published_at) if state == "scheduled" else "",
        "can_submit": rules.can_edit(user, article) and article.status == Status.DRAFT,
        "can_return": editor and article.status in (Status.REVIEW, Status.UNPUBLISHED),
        "can_publish": editor and state != Status.PUBLISHED,
        "can_unpublish": editor and article.status == Status.PUBLISHED,
        "can_flag": editor and article.is_visible(),
        "can_correct": rules.can_correct(user) and article.is_visible(),
        "trail": article.state_changes.select_related("by")[:50],
        "revisions": article.revisions.select_related("by")[:10],
        "corrections": article.corrections.select_related("created_by"),
        "move_url": reverse("admin:news_article_desk", args=[article.pk]),
        "revisions_url": reverse("admin:news_article_revisions", args=[article.pk]),
        "preview_url": reverse("admin:news_article_preview", args=[article.pk]),
        "live_url": reverse("admin:news_article_live", args=[article.pk]),
        "now": timezone.now().replace(microsecond=0),
        "time_pattern": moments.TIME_PATTERN,
    }


def _moment(post, name: str, field: str) -> datetime:
    """A time from the desk's date and 24-hour GMT time boxes (``at_date``, ``at_time``), or one ISO ``at``."""
    if f"{name}_date" in post or f"{name}_time" in post:
        try:
            return moments.moment(day=post.get(f"{name}_date"), clock=post.get(f"{name}_time"), field=field)
        except moments.Unreadable as problem:
            raise changes.WorkflowError(str(problem)) from None
    text = post.get(name)
    try:
        moment = datetime.fromisoformat((text or "").strip())
    except ValueError:
        raise changes.WorkflowError(_("%(field)s: give a date and time (GMT), like 2021-04-13 09:10.")
                                     % {"field": field}) from None
    return moment.replace(tzinfo=dt_timezone.utc) if moment.tzinfo is None else moment


# The desk's moves that change what readers see, so the editor is told when it is live.
SEEN_BY_READERS = {"publish", "unpublish", "correct", "breaking", "unbreaking"}


def announce_live(request, seen: list[purge.Purged]) -> None:
    """Tell the editor how soon every cache (ours, and the edge when there is one) confirmed the change, or which did not."""
    if not seen:
        return
    failed = [done for done in seen if done.error]
    if failed:
        messages.warning(request, _("Saved, but %(caches)s did not confirm the purge (%(error)s): readers there may "
                                    "see the old version for up to %(minutes)d minutes.") % {
            "caches": ", ".join(sorted({done.alias for done in failed})), "error": failed[0].error,
            "minutes": max(1, settings.PAGE_CACHE_SECONDS // 60)})
        return
    seconds = house.digits(f"{max(done.seconds for done in seen):.2f}")
    if any(done.alias != "page-cache" for done in seen):
        messages.info(request, _("Live on the site in %(seconds)s s: the edge confirmed the purge.") % {"seconds": seconds})
    else:
        messages.info(request, _("Live on the site in %(seconds)s s.") % {"seconds": seconds})


@require_POST
def move(request, object_id: int, *, model_admin):
    """Carry out one desk button: submit, return, publish, schedule, unpublish, correct, breaking."""
    article = get_object_or_404(model_admin.get_queryset(request), pk=object_id)
    action, by = request.POST.get("action"), request.user
    with purge.watch() as seen:
        done = _carry_out(request, article, action, by)
    if done is not None and action in SEEN_BY_READERS:
        announce_live(request, seen)
    return redirect("admin:news_article_change", object_id)


def _carry_out(request, article: Article, action: str, by) -> str | None:
    """One desk move; its message on success (also shown), None when it was refused (the reason shown)."""
    try:
        if action == "submit":
            changes.submit(article, by=by)
            done = _("Submitted for review.")
        elif action == "return":
            changes.return_to_draft(article, by=by, note=request.POST.get("note", ""))
            done = _("Returned to draft.")
        elif action == "publish":
            article = changes.publish(article, by=by)
            done = _("Published.") if article.is_visible() else _("Held by its embargo; it will appear by itself.")
        elif action == "schedule":
            article = changes.publish(article, by=by, at=_moment(request.POST, "at", _("Publish at")))
            done = _("Scheduled: it will appear %(countdown)s.") % {"countdown": countdown(article.published_at)}
        elif action == "unpublish":
            changes.unpublish(article, by=by)
            done = _("Unpublished: it is off the site.")
        elif action == "correct":
            changes.correct(article, by=by, text=request.POST.get("text", ""))
            done = _("Correction published.")
        elif action == "breaking":
            changes.flag_breaking(article, by=by, until=_moment(request.POST, "until", _("Breaking until")))
            done = _("Breaking-news banner is up.")
        elif action == "unbreaking":
            changes.flag_breaking(article, by=by, until=None)
            done = _("Breaking-news banner removed.")
        else:
            raise changes.WorkflowError(_("Unknown desk action %(action)r.") % {"action": action})
    except changes.WorkflowError as error:
        messages.error(request, str(error))
    except ValidationError as invalid:  # a correction holding text that is not text
        messages.error(request, " ".join(invalid.messages))
    else:
        messages.success(request, done)
        return done
    return None


def revisions(request, object_id: int, *, model_admin):
    """Every revision of a story, and the difference between any two (``?a=3&b=7``)."""
    article = get_object_or_404(model_admin.get_queryset(request), pk=object_id)
    kept = list(article.revisions.select_related("by"))
    by_number = {r.number: r for r in kept}
    diff, older, newer = None, None, None
    if kept:
        try:
            a = parameters.whole_number(request.GET.get("a", "0"), name="a")
            b = parameters.whole_number(request.GET.get("b", "0"), name="b")
        except parameters.BadParameter:
            a = b = 0
        newer = by_number.get(b) or kept[0]
        older = by_number.get(a) or by_number.get(newer.number - 1) or newer
        if older.number > newer.number:
            older, newer = newer, older
        diff = revision_log.diff(older, newer)
    return TemplateResponse(request, "admin/news/article/revisions.html", {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta, "article": article, "revisions": kept, "older": older, "newer": newer, "diff": diff,
        "can_restore": rules.can_edit(request.user, article), "title": _("Revisions of %(id)s") % {"id": article.pk},
    })


@require_POST
def restore(request, object_id: int, number: int, *, model_admin):
    article = get_object_or_404(model_admin.get_queryset(request), pk=object_id)
    revision = get_object_or_404(Revision, article=article, number=number)
    if not rules.can_edit(request.user, article):
        raise PermissionDenied(_("You may not edit this story."))
    changes.restore(revision, by=request.user)
    messages.success(request, _("Revision %(n)d restored as a new revision.") % {"n": number})
    return redirect("admin:news_article_change", object_id)


def preview(request, object_id: int):
    """The story exactly as readers will see it, for its editors and author; 404 for everyone else."""
    article = (Article.objects.select_related("section", "lead_image").prefetch_related("authors", "tags")
               .filter(pk=object_id).first())
    if article is None or not request.user.is_staff or not rules.can_see(request.user, article):
        raise Http404(_("No story with News ID %(id)s.") % {"id": object_id})
    response = render(request, "news/article.html", {"article": article, "related": [], "preview": True})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
