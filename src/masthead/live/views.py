"""The readers' side of live coverage: the updates a page has not shown yet, as JSON."""

import math

from django.conf import settings
from django.http import Http404, JsonResponse
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead import jsonerrors, parameters
from masthead.delivery import keys
from masthead.live.display import live_coverage
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
    """``?since=<n>``: the story's updates numbered above n (newest first, as HTML), and whether it is still live."""
    try:
        jsonerrors.check_params(request, {"since"})
        since = parameters.whole_number(request.GET.get("since", "0"), name="since")
    except parameters.BadParameter as problem:
        return jsonerrors.error(400, problem.message, parameter=problem.name)
    now = timezone.now()
    story = Article.objects.visible(at=now).filter(pk=news_id).only("id", "language").first()
    live = live_coverage(story, since=since) if story is not None else None
    if live is None:
        raise Http404(_("Story %(id)s has no live coverage.") % {"id": news_id})
    html = loader.render_to_string("live/_fragment.html", {"updates": live.updates}, request)
    response = JsonResponse({"story": story.pk, "since": since, "newest": max(live.newest, since),
                             "running": live.running, "count": len(live.updates), "html": html})
    return bucketed(cacheable(response, {keys.article(story.pk)}, now=now, bounded_by_schedule=False,
                              reads={"since"}, strict=True), now=now)
