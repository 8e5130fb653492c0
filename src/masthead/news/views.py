"""The public pages: home, article, print view, section, tag, author and the archive by date."""

import calendar
from datetime import datetime, timedelta, timezone as dt_timezone

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseServerError
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults

from masthead import editions, house, jsonerrors
from masthead.delivery import keys
from masthead.news import listing, printing, storypage
from masthead.news.caching import cacheable, names_on
from masthead.news.models import TEASER_FIELDS, Article, Author, Tag


# What a teaser's picture needs of its lead image, read in the same query as the story.
_TEASER_IMAGE = [f"lead_image__{name}" for name in ("id", "file", "width", "height", "alt", "focal_x", "focal_y")]


def _teasers(queryset):
    return (queryset.select_related("section", "lead_image")
            .only(*TEASER_FIELDS, "lead_image_id", "section__name", "section__name_fa", "section__slug", *_TEASER_IMAGE))


def _image_keys(stories) -> set[str]:
    """The keys of the pictures ``stories`` show, so a new focal point or caption purges the page."""
    return {keys.image(s.lead_image_id) for s in stories if s.lead_image_id}


def home(request):
    # One "now" for the stories shown and for the next scheduled one that bounds the page's life:
    # read at two moments, a story appearing between them would stay off the page until it expires.
    now = timezone.now()
    sections = storypage.sections(request)  # read once, for the navigation too
    top, newest = storypage.newest(sections, at=now, language=editions.current(), size=5, request=request)
    shown = {a.pk for a in top}
    by_section = []
    for section in sections:
        latest = [a for a in newest[section.pk] if a.pk not in shown]
        if latest:
            by_section.append((section, latest[:4]))
    breaking = Article.objects.breaking_story(at=now)
    response = render(request, "news/home.html", {"top": top, "by_section": by_section, "breaking": breaking, "today": now})
    shown_stories = [*top, *(a for _, articles in by_section for a in articles)]
    return cacheable(response, {keys.HOME, *_image_keys(shown_stories)}, now=now, last_modified=max((a.published_at for a in top), default=None),
                     until=min(filter(None, (breaking.breaking_until if breaking else None, house.next_day(now)))))


def article(request, news_id: int, slug: str | None = None):
    story = storypage.story(news_id, request=request)
    if story is None:
        raise Http404(_("No story with News ID %(id)s.") % {"id": news_id})
    if slug != story.slug or story.language != editions.current():
        # The story's own address: its slug, in its own edition (a Persian story lives under /fa/).
        return HttpResponsePermanentRedirect(story.get_absolute_url())
    if request.resolver_match.url_name == "print":
        response = render(request, "news/print.html", {"article": story, "address_code": printing.address_code(story)})
    else:
        response = render(request, "news/article.html", {"article": story, "related": storypage.related(story, request=request)})
    # The story's own scheduled neighbours never appear on it, so its lifetime is not bounded by them.
    # ?comment=<status> after posting a comment shows a notice above the comments.
    return cacheable(response, {story.surrogate_key, *names_on(story), *_image_keys([story])}, last_modified=story.updated_at,
                     bounded_by_schedule=False, reads={"comment"})


def legacy_article(request, news_id: int):
    """``/News/302104.html?catid=…&title=…``: the old site's address, moved for good."""
    story = get_object_or_404(Article.objects.visible().only("id", "slug", "language"), pk=news_id)
    return HttpResponsePermanentRedirect(story.get_absolute_url())


def _listing(request, where: Q, *, template_context, keys):
    """A tag's, an author's or a date's page of stories."""
    def page(now):
        edition = Article.objects.visible(at=now).filter(language=editions.current())
        return listing.paginate(_teasers(edition.filter(where)), request.GET)

    return _list_page(request, page, template_context=template_context, keys=keys)


def _list_page(request, page_at, *, template_context, keys):
    now = timezone.now()  # one moment for the list and for the scheduled story that bounds its life
    page = page_at(now)
    if not page.items and (request.GET.get("before") or request.GET.get("after")):
        raise Http404(_("No stories on this page."))
    response = render(request, "news/list.html", {**template_context, "page": page})
    last = max((a.published_at for a in page.items), default=None)
    return cacheable(response, {*keys, *_image_keys(page.items)}, now=now, last_modified=last, reads=listing.PARAMS)


def section(request, slug: str):
    found = storypage.section(slug)
    if found is None:
        raise Http404("No Section matches the given query.")  # as get_object_or_404 says it

    def page(now):
        read = storypage.in_section(found, at=now, language=editions.current(), request=request)
        return listing.page_of(read, request.GET)

    return _list_page(request, page,
                      template_context={"title": found.edition_name, "intro": found.description, "kind": "section",
                                        "feed_section": found},
                      keys={found.surrogate_key})


def _filed(request, owner, *, template_context):
    """A tag's or an author's page of stories."""
    def page(now):
        return listing.page_of(storypage.filed_under(owner, at=now, language=editions.current(), request=request), request.GET)

    return _list_page(request, page, template_context=template_context, keys={owner.surrogate_key})


def tag(request, slug: str):
    found = get_object_or_404(Tag, slug=slug)
    return _filed(request, found, template_context={"title": found.name, "kind": "tag"})


def author(request, slug: str):
    found = get_object_or_404(Author, slug=slug)
    return _filed(request, found, template_context={"title": found.name, "intro": found.bio, "kind": "author"})


def archive(request, year: int, month: int | None = None, day: int | None = None):
    try:
        if day is not None:
            start = datetime(year, month, day, tzinfo=dt_timezone.utc)
            end = start + timedelta(days=1)
        elif month is not None:
            start = datetime(year, month, 1, tzinfo=dt_timezone.utc)
            end = start + timedelta(days=calendar.monthrange(year, month)[1])
        else:
            start = datetime(year, 1, 1, tzinfo=dt_timezone.utc)
            end = datetime(year + 1, 1, 1, tzinfo=dt_timezone.utc)
    except (ValueError, OverflowError):
        raise Http404(_("No such date.")) from None
    days = {keys.archive_day(start + timedelta(days=n)) for n in range(min((end - start).days, 31))}
    if (end - start).days > 31:
        days = {keys.FEEDS}  # a year's page is purged by any publish, as the feeds are
    return _listing(
        request,
        Q(published_at__gte=start, published_at__lt=end),
        template_context={"kind": "archive", "archive_start": start, "archive_end": end,
                          "archive_precision": "day" if day else "month" if month else "year", "title": start},
        keys=days,
    )


# Django's own errors, raised before or around a view. Under /api/ they answer in the API's JSON.

def bad_request(request, exception=None):
    """A request Django refuses to read: more query or form fields than it allows, a bad Host, …"""
    if jsonerrors.is_api(request):
        return jsonerrors.error(400, "the request cannot be read: too many query fields, or a malformed one")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if jsonerrors.is_api(request):
        return jsonerrors.error(403, "this is not allowed")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if jsonerrors.is_api(request):
        return jsonerrors.error(404, f"nothing at {request.path}; the API's addresses are in /api/openapi.json")
    return render(request, "404.html", status=404)


def server_error(request):
    if jsonerrors.is_api(request):
        return jsonerrors.error(500, "the server failed to answer; it has been logged")
    # No context processors: the error may be the database itself.
    return HttpResponseServerError(loader.get_template("500.html").render({"site_name": settings.SITE_NAME}))
