"""The readers' side of live coverage: the updates a page has not shown yet, as JSON."""

import math

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead import jsonerrors, parameters
from masthead.delivery import keys
from masthead.live.display import changes_after, live_coverage
from masthead.news.caching import cacheable
from masthead.news.models import Article


def bucket_end(now):
    """When the time bucket holding ``now`` ends: what every updates answer made in it expires at."""
    # Every answer made in one bucket expires at the bucket's end, whoever asked: all readers (and
    # every cache in front, which honours max-age) share one answer per bucket instead of each
    # reader's clock making its own (the WordPress liveblog plugin's lesson). A post purges the
    # story's key, so the next poll after it sees the update at once, whatever the bucket.
    seconds = settings.LIVE_POLL_SECONDS
    return now + timezone.timedelta(seconds=seconds - now.timestamp() % seconds)


def bucketed(response, *, now):
    """Make ``response`` live until its time bucket ends, in whole seconds rounded up.

    ``cacheable(until=…)`` rounds down, which leaves a one-second bucket's answers uncached.
    """
    response.cache_lifetime = max(1, math.ceil((bucket_end(now) - now).total_seconds()))
    return response


def updates(request, news_id: int):
    """The story's updates for an open page, as JSON, and whether the coverage still runs.

    ``?version=<v>`` (what the page's script asks): everything that changed after version v of
    the coverage — new and changed updates as HTML, the numbers of deleted ones, the key events,
    the pin and the badge as they stand. ``?since=<n>``: only the updates numbered above n.
    """
    try:
        jsonerrors.check_params(request, {"since", "version"})
        since = parameters.whole_number(request.GET.get("since", "0"), name="since")
        version = (parameters.whole_number(request.GET["version"], name="version")
                   if "version" in request.GET else None)
    except parameters.BadParameter as problem:
        return jsonerrors.error(400, problem.message, parameter=problem.name)
    now = timezone.now()
    story = Article.objects.visible(at=now).filter(pk=news_id).only("id", "language").first()
    if version is not None:
        answer = _changes(request, story, version=version) if story is not None else None
    else:
        answer = _newer(request, story, since=since) if story is not None else None
    if answer is None:
        raise Http404(_("Story %(id)s has no live coverage.") % {"id": news_id})
    return bucketed(cacheable(JsonResponse(answer), {keys.article(story.pk)}, now=now, bounded_by_schedule=False,
                              reads={"since", "version"}, strict=True), now=now)


def _newer(request, story: Article, *, since: int) -> dict | None:
    live = live_coverage(story, since=since)
    if live is None:
        return None
    html = loader.render_to_string("live/_fragment.html", {"updates": live.updates}, request)
    return {"story": story.pk, "since": since, "newest": max(live.newest, since), "running": live.running,
            "count": len(live.updates), "html": html}


def _changes(request, story: Article, *, version: int) -> dict | None:
    changes = changes_after(story, version=version)
    if changes is None:
        return None
    answer = {"story": story.pk, "after": version, "version": changes.version, "running": changes.running,
              "changed": changes.changed}
    if changes.changed or not changes.running:
        # The badge goes with every change, and with every answer once the coverage has ended:
        # an end dated ahead of time counts its version when it is made, not when it comes.
        answer["status"] = loader.render_to_string("live/_status.html", {"live": changes}, request).strip()
    if changes.changed:
        shown = [u for u in changes.updates if u.deleted_at is None]
        answer.update(
            html=loader.render_to_string("live/_fragment.html", {"updates": shown}, request),
            numbers=[u.number for u in shown], deleted=[u.number for u in changes.updates if u.deleted_at is not None],
            key_events=loader.render_to_string("live/_key_events.html", {"key_events": changes.key_events}, request).strip(),
            pinned=loader.render_to_string("live/_pinned.html", {"pinned": changes.pinned}, request).strip())
    return answer


def stream(request, news_id: int):
    """The live stream's address reached Django: this server does not hold streams (``masthead serve`` does,
    on its event loop: live/streams.py; a bare WSGI server such as ``runserver`` does not).

    A stream of one ``poll`` event, on which the page's script closes it and polls instead; an error
    status would do the same, but browsers report it as an error on every page.
    """
    response = HttpResponse(b"event: poll\ndata: this server does not stream; ask for updates instead\n\n",
                            content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
