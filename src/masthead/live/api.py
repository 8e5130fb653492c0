"""Live updates in the JSON API: ``/api/v1/articles/<News ID>/updates`` and ``…/updates/<n>``.

Reads are public and cached like the readers' updates answer; writes need a token and go through
``masthead.stories.live`` as the token's account, by the same rules as the live desk.
"""

from django.utils import timezone

from masthead import jsonerrors, parameters
from masthead.delivery import keys
from masthead.live.display import changes_after, live_coverage
from masthead.live.models import LiveUpdate
from masthead.live.views import bucketed
from masthead.news.caching import cacheable
from masthead.news.models import Article
from masthead.stories import live
from masthead.syndication.api import BadRequest, api_view, json_answer, parsed_body, through_service, token_of
from masthead.syndication.caching import readable_from_any_site
from masthead.syndication.metadata import absolute
from masthead.syndication.ninjs import rfc3339

POSTED = {"body", "headline", "key_event", "pinned"}
CHANGED = {"body", "headline", "note", "key_event", "pinned"}


def serialise(update: LiveUpdate, article: Article) -> dict:
    """One update as the API writes it."""
    return {
        "number": update.number, "url": absolute(article.get_absolute_url() + f"#{update.anchor}"),
        "headline": update.headline, "body": update.body, "html": update.body_html, "author": update.author_name,
        "key_event": update.key_event, "pinned": update.pinned, "posted": rfc3339(update.created_at),
        "corrected": rfc3339(update.edited_at) if update.edited_at else None, "correction": update.correction,
        "deleted": update.deleted_at is not None,
    }


def _story(news_id: int) -> Article:
    found = Article.objects.visible().filter(pk=news_id).first()
    if found is None or live.coverage(found) is None:
        raise BadRequest("news_id", f"no live story with News ID {news_id}", status=404)
    return found


def _fields(request, allowed: set[str]) -> dict:
    data = parsed_body(request)
    if not isinstance(data, dict) or not data:
        raise BadRequest("body", f"must be a JSON object naming one or more of {', '.join(sorted(allowed))}")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise BadRequest(unknown[0], f"is not a field here; the fields are {', '.join(sorted(allowed))}")
    for name in ("body", "headline", "note"):
        if name in data and not isinstance(data[name], str):
            raise BadRequest(name, "must be a string")
    for name in ("key_event", "pinned"):
        if name in data and not isinstance(data[name], bool):
            raise BadRequest(name, "must be true or false")
    return data


def _done(request, change, article: Article, *, status: int = 200):
    """Make ``change`` through the story service; the update as saved, or the refusal."""
    update, refusal = through_service(request, change)
    if refusal is not None:
        return refusal
    update.refresh_from_db()
    response = json_answer(serialise(update, article), status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@api_view({"GET", "HEAD", "POST"})
def updates(request, news_id: int):
    """GET: a live story's coverage and its updates newest first (``?since=<n>``: only those numbered above n;
    ``?version=<v>``: only those posted or changed after version v of the coverage, deleted ones included).
    POST: post one."""
    if request.method == "POST":
        return _post(request, news_id)
    jsonerrors.check_params(request, {"since", "version"})
    since = parameters.whole_number(request.GET.get("since", "0"), name="since")
    version = parameters.whole_number(request.GET["version"], name="version") if "version" in request.GET else None
    now = timezone.now()
    article = _story(news_id)
    found = live_coverage(article, since=since)
    items = found.updates if version is None else changes_after(article, version=version).updates
    body = {"story": article.pk, "running": found.running, "started": rfc3339(found.coverage.started_at),
            "ended": rfc3339(found.coverage.ended_at) if found.coverage.ended_at else None,
            "newest": max(found.newest, since), "version": found.coverage.version,
            "items": [serialise(u, article) for u in items]}
    return readable_from_any_site(bucketed(cacheable(json_answer(body), {keys.article(article.pk)}, now=now,
                                                     bounded_by_schedule=False, reads={"since", "version"}, strict=True),
                                           now=now))


def _post(request, news_id: int):
    token = token_of(request)
    article = _story(news_id)
    data = _fields(request, POSTED)
    if "body" not in data:
        raise BadRequest("body", "is required: the update's text, in Markdown")
    return _done(request, lambda: live.post_update(article.pk, by=token.user, body=data["body"],
                                                   headline=data.get("headline", ""), key_event=data.get("key_event", False),
                                                   pinned=data.get("pinned", False)), article, status=201)


@api_view({"PATCH", "DELETE"})
def update(request, news_id: int, number: int):
    """PATCH: correct an update (``body``, ``headline`` and the ``note`` readers see), pin it, mark it a key event.
    DELETE: take it off the page (the answer is the update as deleted)."""
    jsonerrors.check_params(request, set())
    token = token_of(request)
    article = _story(news_id)
    found = LiveUpdate.objects.filter(article=article, number=number, deleted_at__isnull=True).first()
    if found is None:
        raise BadRequest("number", f"story {news_id} has no update {number}", status=404)
    if request.method == "DELETE":
        return _done(request, lambda: live.delete_update(found, by=token.user), article)
    data = _fields(request, CHANGED)
    if ("body" in data or "headline" in data or "note" in data) and "body" not in data:
        raise BadRequest("body", "a correction sends the whole corrected body, with a note saying what changed")

    def change():
        changed = found
        if "body" in data:
            changed = live.correct_update(changed, by=token.user, body=data["body"],
                                          headline=data.get("headline", changed.headline), note=data.get("note", ""))
        if "pinned" in data:
            changed = live.pin_update(changed, by=token.user, pinned=data["pinned"])
        if "key_event" in data:
            changed = live.mark_key_event(changed, by=token.user, key_event=data["key_event"])
        return changed

    return _done(request, change, article)
