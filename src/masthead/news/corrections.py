"""The public corrections page: every correction to a story readers can see, newest first."""

from django.http import Http404
from django.shortcuts import render

from masthead import parameters
from masthead.delivery import keys
from masthead.news.caching import cacheable
from masthead.news.models import Article, Correction

PAGE_SIZE = 30


def corrections(request):
    """``/corrections/``, paged by the last correction shown (``?before=<id>``)."""
    found = Correction.objects.filter(article__in=Article.objects.visible()).select_related("article")
    found = found.only("id", "text", "created_at", "article__id", "article__slug", "article__language", "article__headline")
    if request.GET.get("before"):
        try:
            found = found.filter(id__lt=parameters.database_id(request.GET["before"], name="before"))
        except parameters.BadParameter as bad:
            raise Http404(bad.message) from None
    rows = list(found.order_by("-created_at", "-id")[: PAGE_SIZE + 1])
    shown = rows[:PAGE_SIZE]
    response = render(request, "news/corrections.html", {
        "corrections": shown, "older": shown[-1].pk if len(rows) > PAGE_SIZE else None})
    # FEEDS is purged by every save, so a story taken down leaves this page at once too.
    return cacheable(response, {keys.CORRECTIONS, keys.FEEDS}, last_modified=shown[0].created_at if shown else None,
                     reads={"before"})
