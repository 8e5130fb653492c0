"""The live desk: one page per live story, a short form that posts an update and the stream beside it.

Each button gathers what was typed and calls ``masthead.stories.live``, which checks the role,
numbers, keeps the revision and purges; the page then shows the stream as readers will see it.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from masthead import parameters
from masthead.delivery import purge
from masthead.live.models import LiveUpdate
from masthead.news.models import Article
from masthead.newsroom.desk import announce_live
from masthead.stories import live, rules
from masthead.stories.changes import WorkflowError

# Shown on the desk; the readers' page keeps every update.
DESK_UPDATES = 200


def _story(request, object_id: int) -> Article:
    # Any reporter may post to a live story, whoever wrote it: not the story list's "own stories" rule.
    if not rules.can_post_update(request.user):
        raise PermissionDenied(_("You may not post live updates."))
    article = Article.objects.filter(pk=object_id).select_related("section").first()
    if article is None:
        raise Http404(_("No story with News ID %(id)s.") % {"id": object_id})
    return article


def desk(request, object_id: int, *, model_admin):
    """GET: the live desk of a story. POST: one of its buttons, then back to the desk."""
    article = _story(request, object_id)
    if request.method == "POST":
        with purge.watch() as seen:
            done = _carry_out(request, article)
        if done:
            announce_live(request, seen)
        return redirect("admin:news_article_live", object_id)
    coverage = live.coverage(article)
    updates = list(LiveUpdate.objects.shown().filter(article=article).select_related("author")[:DESK_UPDATES])
    editing = None
    if request.GET.get("edit"):
        try:
            number = parameters.whole_number(request.GET["edit"], name="edit")
        except parameters.BadParameter:
            number = 0
        editing = next((u for u in updates if u.number == number and rules.can_change_update(request.user, u)), None)
    user = request.user
    return TemplateResponse(request, "admin/news/article/live.html", {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta, "article": article, "coverage": coverage,
        "running": coverage is not None and coverage.is_running(), "updates": updates, "editing": editing,
        "editor": rules.can_run_coverage(user),
        "changeable": {u.pk for u in updates if rules.can_change_update(user, u)},
        "title": _("Live coverage of %(id)s") % {"id": article.pk},
        "reader_url": article.get_absolute_url(),
    })


def _update(article: Article, raw: str) -> LiveUpdate:
    number = parameters.whole_number(raw or "", name="update")
    found = LiveUpdate.objects.filter(article=article, number=number).first()
    if found is None:
        raise WorkflowError(_("Story %(id)s has no update %(n)s.") % {"id": article.pk, "n": number})
    return found


def _carry_out(request, article: Article) -> str | None:
    """One button of the live desk; its message on success, None when it was refused (the reason shown)."""
    post, by = request.POST, request.user
    action = post.get("action")
    try:
        if action == "post":
            update = live.post_update(article, by=by, body=post.get("body", ""), headline=post.get("headline", ""),
                                      key_event=bool(post.get("key_event")), pinned=bool(post.get("pinned")))
            done = _("Update %(n)d posted.") % {"n": update.number}
        elif action == "start":
            live.start_coverage(article, by=by)
            done = _("Live coverage started.")
        elif action == "end":
            live.end_coverage(article, by=by)
            done = _("Live coverage ended.")
        elif action == "correct":
            update = live.correct_update(_update(article, post.get("update")), by=by, body=post.get("body", ""),
                                         headline=post.get("headline", ""), note=post.get("note", ""))
            done = _("Update %(n)d corrected.") % {"n": update.number}
        elif action in ("pin", "unpin"):
            update = live.pin_update(_update(article, post.get("update")), by=by, pinned=action == "pin")
            done = (_("Update %(n)d pinned.") if action == "pin" else _("Update %(n)d unpinned.")) % {"n": update.number}
        elif action in ("key", "unkey"):
            update = live.mark_key_event(_update(article, post.get("update")), by=by, key_event=action == "key")
            done = _("Update %(n)d is a key event.") if action == "key" else _("Update %(n)d is no longer a key event.")
            done %= {"n": update.number}
        elif action == "delete":
            update = live.delete_update(_update(article, post.get("update")), by=by)
            done = _("Update %(n)d deleted.") % {"n": update.number}
        else:
            raise WorkflowError(_("Unknown live desk action %(action)r.") % {"action": action})
    except (WorkflowError, PermissionDenied) as refused:
        messages.error(request, str(refused))
    except parameters.BadParameter as bad:
        messages.error(request, _("No such update: %(problem)s") % {"problem": bad.message})
    except ValidationError as invalid:  # text that is not text, named by its field
        messages.error(request, " ".join(f"{field}: {' '.join(problems)}" for field, problems in invalid.message_dict.items()))
    else:
        messages.success(request, done)
        return done
    return None


def url(article: Article) -> str:
    return reverse("admin:news_article_live", args=[article.pk])
