"""The JSON API under ``/api/v1/``: stories as ninjs, sections, tags and authors; token-authenticated writes.

Reads are public and page-cached like the site (surrogate keys ``feeds`` and the story's own);
writes need ``Authorization: Bearer <token>`` and are limited to what the token's user may do.
The document at ``/api/openapi.json`` describes every answer here, and a test holds them to it.
"""

import calendar
import json
import re
from datetime import datetime, timezone as dt_timezone

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt

from masthead.news import publishing
from masthead.news.models import Article, Author, Section, Tag
from masthead.syndication import ninjs
from masthead.delivery import keys
from masthead.news.caching import cacheable
from masthead.syndication.caching import readable_from_any_site
from masthead.syndication.models import ApiToken

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
LIST_PARAMS = {"section", "tag", "author", "since", "limit", "cursor"}
WRITABLE = {"headline", "kicker", "summary", "body", "source", "slug", "language", "section", "tags", "authors"}


class BadRequest(Exception):
    def __init__(self, parameter: str, message: str, *, status: int = 400):
        super().__init__(message)
        self.parameter, self.message, self.status = parameter, message, status


def error(status: int, message: str, *, parameter: str | None = None, **headers) -> JsonResponse:
    body = {"error": {"status": status, "message": message}}
    if parameter:
        body["error"]["parameter"] = parameter
    response = JsonResponse(body, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _json(data, *, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _api_view(methods: set[str]):
    """Answer BadRequest as 400 JSON and other methods with 405, so every answer of the API is JSON."""

    def decorate(view):
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                return error(405, f"{request.method} is not allowed here; use {', '.join(sorted(methods))}.",
                             Allow=", ".join(sorted(methods)))
            try:
                return view(request, *args, **kwargs)
            except BadRequest as bad:
                return error(bad.status, bad.message, parameter=bad.parameter)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


# Query parameters -----------------------------------------------------------------------------

def _check_params(request, allowed: set[str]) -> None:
    for name in request.GET:
        if name not in allowed:
            raise BadRequest(name, f"unknown parameter; this endpoint takes {', '.join(sorted(allowed))}")


def _limit(request) -> int:
    raw = request.GET.get("limit", str(DEFAULT_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest("limit", f"must be a whole number from 1 to {MAX_LIMIT}, not {raw!r}")
    return int(raw)


def parse_time(name: str, raw: str) -> datetime:
    try:
        # An unencoded "+04:30" in a query string arrives as " 04:30".
        moment = datetime.fromisoformat(re.sub(r" (\d\d:?\d\d)$", r"+\1", raw.strip()).replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(name, f"{raw!r} is not an ISO 8601 time like 2021-04-12T05:35:00Z") from None
    if moment.tzinfo is None:
        raise BadRequest(name, f"{raw!r} has no time zone; end it with Z for UTC")
    return moment.astimezone(dt_timezone.utc)


def _cursor(raw: str) -> tuple[datetime, int]:
    try:
        micros, pk = raw.split(".")
        moment = datetime.fromtimestamp(int(micros) // 1_000_000, tz=dt_timezone.utc)
        return moment.replace(microsecond=int(micros) % 1_000_000), int(pk)
    except (ValueError, OverflowError, OSError):
        raise BadRequest("cursor", f"{raw!r} is not a cursor from this API's 'next' link") from None


def _make_cursor(moment: datetime, pk: int) -> str:
    # Whole seconds from timegm, not float timestamp(): a float rounds some microseconds away.
    return f"{calendar.timegm(moment.utctimetuple()) * 1_000_000 + moment.microsecond}.{pk}"


def _filed_under(request, queryset):
    for name, model, lookup in (("section", Section, "section"), ("tag", Tag, "tags"), ("author", Author, "authors")):
        slug = request.GET.get(name)
        if slug is None:
            continue
        found = model.objects.filter(slug=slug).first()
        if found is None:
            raise BadRequest(name, f"no {name} with slug {slug!r}")
        queryset = queryset.filter(**{lookup: found})
    return queryset


# Reads --------------------------------------------------------------------------------------

def _with_relations(queryset):
    return queryset.select_related("section").prefetch_related("authors", "tags")


@csrf_exempt  # token-authenticated writes carry no cookie, so there is no session to forge
@_api_view({"GET", "HEAD", "POST"})
def articles(request):
    """GET: visible stories, newest first, or with ``since`` every change since then, oldest first.

    POST: create a draft (needs a token whose user may add articles).
    """
    if request.method == "POST":
        return create(request)
    _check_params(request, LIST_PARAMS)
    limit = _limit(request)
    since = parse_time("since", request.GET["since"]) if "since" in request.GET else None
    cursor = _cursor(request.GET["cursor"]) if request.GET.get("cursor") else None
    if since is None:
        queryset = _filed_under(request, Article.objects.visible())
        if cursor:
            moment, pk = cursor
            queryset = queryset.filter(Q(published_at__lt=moment) | Q(published_at=moment, id__lt=pk))
        rows = list(_with_relations(queryset).order_by("-published_at", "-id")[: limit + 1])
        items = [ninjs.to_ninjs(article) for article in rows[:limit]]
        last = rows[limit - 1] if len(rows) > limit else None
        next_cursor = _make_cursor(last.published_at, last.pk) if last else None
    else:
        # Incremental sync: what became public or changed since ``since``, and what was withdrawn.
        now = timezone.now()
        # ``changed >= since`` restated as two indexed conditions, so only recent rows are read.
        queryset = (_filed_under(request, Article.objects.filter(
            Q(status=Article.Status.PUBLISHED, published_at__lte=now) | Q(status=Article.Status.UNPUBLISHED)))
            .filter(Q(updated_at__gte=since) | Q(published_at__gte=since))
            .annotate(changed=Greatest("updated_at", Coalesce("published_at", "updated_at")))
            .filter(changed__gte=since))
        if cursor:
            moment, pk = cursor
            queryset = queryset.filter(Q(changed__gt=moment) | Q(changed=moment, id__gt=pk))
        # Keys first, then the rows: joined to sections, SQLite would plan a scan of every story.
        changes = list(queryset.order_by("changed", "id").values_list("id", "changed")[: limit + 1])
        found = _with_relations(Article.objects.all()).in_bulk([pk for pk, _ in changes[:limit]])
        items = [ninjs.to_ninjs(found[pk]) if found[pk].status == Article.Status.PUBLISHED else ninjs.canceled(pk, changed)
                 for pk, changed in changes[:limit]]
        next_cursor = _make_cursor(changes[limit - 1][1], changes[limit - 1][0]) if len(changes) > limit else None
    params = {k: v for k, v in request.GET.items() if k != "cursor"}
    next_url = None
    if next_cursor:
        next_url = request.build_absolute_uri(reverse("syndication:api-articles") + "?" + urlencode({**params, "cursor": next_cursor}))
    return readable_from_any_site(cacheable(_json({"items": items, "next": next_url}), {keys.FEEDS},
                                                 reads=LIST_PARAMS, strict=True))


@csrf_exempt  # token-authenticated: see ``articles``
@_api_view({"GET", "HEAD", "PATCH"})
def article(request, news_id: int):
    """GET: one story as ninjs (editors' tokens see drafts too). PATCH: edit it."""
    if request.method == "PATCH":
        return update(request, news_id)
    _check_params(request, set())
    token = _token(request, required=False)
    queryset = Article.objects.all() if token and token.user.has_perm("news.change_article") else Article.objects.visible()
    found = _with_relations(queryset).filter(pk=news_id).first()
    if found is None:
        return error(404, f"no visible story with News ID {news_id}")
    response = _json(ninjs.to_ninjs(found))
    if token is None:  # a token holder's view may include drafts: never page-cache it
        readable_from_any_site(cacheable(response, {found.surrogate_key}, last_modified=found.updated_at,
                                                   strict=True))
    return response


def _listing(request, queryset, serialise):
    """A list keyed by id: ``?after=<id>&limit=<n>``."""
    _check_params(request, {"after", "limit"})
    limit = _limit(request)
    after = request.GET.get("after", "0")
    if not after.isdigit():
        raise BadRequest("after", f"must be the id of the last item you have, not {after!r}")
    rows = list(queryset.filter(pk__gt=int(after)).order_by("pk")[: limit + 1])
    next_url = None
    if len(rows) > limit:
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode({'after': rows[limit - 1].pk, 'limit': limit})}")
    return readable_from_any_site(cacheable(_json({"items": [serialise(row) for row in rows[:limit]], "next": next_url}),
                                            {keys.FEEDS}, reads={"after", "limit"}, strict=True))


def _site_url(request, path: str) -> str:
    return settings.SITE_URL + path


@_api_view({"GET", "HEAD"})
def sections(request):
    """Every section, by id (``position`` gives the navigation order)."""
    return _listing(request, Section.objects.all(), lambda s: {
        "id": s.pk, "name": s.name, "slug": s.slug, "description": s.description, "position": s.position,
        "url": _site_url(request, s.get_absolute_url())})


@_api_view({"GET", "HEAD"})
def tags(request):
    """Every tag."""
    return _listing(request, Tag.objects.all(), lambda t: {
        "id": t.pk, "name": t.name, "slug": t.slug, "url": _site_url(request, t.get_absolute_url())})


@_api_view({"GET", "HEAD"})
def authors(request):
    """Every author."""
    return _listing(request, Author.objects.all(), lambda a: {
        "id": a.pk, "name": a.name, "slug": a.slug, "bio": a.bio, "url": _site_url(request, a.get_absolute_url())})


# Writes -------------------------------------------------------------------------------------

def _token(request, *, required: bool = True) -> ApiToken | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        if required:
            raise BadRequest("Authorization", "this needs an API token: send 'Authorization: Bearer <token>'", status=401)
        return None
    scheme, _, raw = header.partition(" ")
    token = ApiToken.objects.authenticate(raw.strip()) if scheme.lower() == "bearer" and raw.strip() else None
    if token is None:
        raise BadRequest("Authorization", "the token is unknown, revoked, or its user is inactive", status=401)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def may_publish(user) -> bool:
    """Publishing is for superusers, holders of news.publish_article, and the Editors group."""
    return user.is_superuser or user.has_perm("news.publish_article") or user.groups.filter(name__iexact="editors").exists()


def _require(user, permission: str, what: str) -> None:
    allowed = may_publish(user) if permission == "publish" else user.has_perm(permission)
    if not allowed:
        raise BadRequest("Authorization", f"this token's user may not {what}", status=403)


def _parsed(request):
    """The request's JSON body (an empty body is ``{}``); BadRequest if it is not JSON."""
    try:
        return json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as problem:
        raise BadRequest("body", f"is not valid JSON: {problem}") from None


def _body(request) -> dict:
    data = _parsed(request)
    if not isinstance(data, dict):
        raise BadRequest("body", "must be a JSON object")
    unknown = sorted(set(data) - WRITABLE - {"published_at"})
    if unknown:
        raise BadRequest(unknown[0], f"is not a writable field; writable: {', '.join(sorted(WRITABLE))}")
    return data


def _string_list(data, name) -> list[str]:
    value = data[name]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise BadRequest(name, "must be a list of non-empty strings")
    return [v.strip() for v in value]


def _apply(article: Article, data: dict) -> tuple[list | None, list | None]:
    """Copy ``data`` onto ``article``; returns the tags and authors to set (None: leave as they are)."""
    for name in ("headline", "kicker", "summary", "body", "source", "slug", "language"):
        if name in data:
            if not isinstance(data[name], str):
                raise BadRequest(name, "must be a string")
            setattr(article, name, data[name])
    if "section" in data:
        section = Section.objects.filter(slug=data["section"]).first() if isinstance(data["section"], str) else None
        if section is None:
            raise BadRequest("section", f"no section with slug {data['section']!r}")
        article.section = section
    tags = authors = None
    if "tags" in data:
        tags = [Tag.objects.filter(Q(name__iexact=name) | Q(slug=slugify(name, allow_unicode=True))).first()
                or Tag.objects.create(name=name) for name in _string_list(data, "tags")]
    if "authors" in data:
        slugs = _string_list(data, "authors")
        authors = list(Author.objects.filter(slug__in=slugs))
        missing = sorted(set(slugs) - {a.slug for a in authors})
        if missing:
            raise BadRequest("authors", f"no author with slug {missing[0]!r}")
    return tags, authors


def _save(article: Article, data: dict, *, status: int) -> JsonResponse:
    try:
        with transaction.atomic():
            before = publishing.keys_before_edit(article)
            tags, authors = _apply(article, data)
            publishing.save(article, tags=tags, authors=authors, before=before)
    except ValidationError as invalid:
        field, messages = next(iter(invalid.message_dict.items()))
        return error(400, f"{field}: {' '.join(messages)}", parameter=field)
    fresh = _with_relations(Article.objects.all()).get(pk=article.pk)
    response = _json(ninjs.to_ninjs(fresh), status=status)
    if status == 201:
        response["Location"] = reverse("syndication:api-article", args=[article.pk])
    return response


def create(request):
    """Create a draft from the JSON body; ``headline`` and ``section`` are required."""
    token = _token(request)
    _require(token.user, "news.add_article", "create stories")
    data = _body(request)
    if "published_at" in data:
        raise BadRequest("published_at", "a new story is a draft; publish it with POST …/publish")
    for name in ("headline", "section"):
        if not data.get(name):
            raise BadRequest(name, "is required")
    return _save(Article(status=Article.Status.DRAFT), data, status=201)


def update(request, news_id: int):
    """Change the fields given in the JSON body; a live story may be changed only by those who may publish."""
    token = _token(request)
    _require(token.user, "news.change_article", "edit stories")
    found = Article.objects.filter(pk=news_id).first()
    if found is None:
        return error(404, f"no story with News ID {news_id}")
    if found.status == Article.Status.PUBLISHED:
        _require(token.user, "publish", "change a published story")
    data = _body(request)
    if "published_at" in data:
        raise BadRequest("published_at", "set the time with POST …/publish and {\"at\": …}")
    return _save(found, data, status=200)


@csrf_exempt  # token-authenticated: see ``articles``
@_api_view({"POST"})
def publish(request, news_id: int):
    """Publish a story now, or at ``{"at": "<ISO 8601>"}`` (scheduling it)."""
    token = _token(request)
    _require(token.user, "publish", "publish stories")
    found = Article.objects.filter(pk=news_id).first()
    if found is None:
        return error(404, f"no story with News ID {news_id}")
    data = _parsed(request)
    if not isinstance(data, dict) or set(data) - {"at"}:
        raise BadRequest("body", "takes only {\"at\": \"<ISO 8601 time>\"}, or nothing to publish now")
    at = parse_time("at", data["at"]) if isinstance(data.get("at"), str) else None
    if "at" in data and at is None:
        raise BadRequest("at", "must be an ISO 8601 time like 2021-04-12T05:35:00Z")
    try:
        publishing.publish(found, at=at)
    except ValidationError as invalid:
        field, messages = next(iter(invalid.message_dict.items()))
        return error(400, f"{field}: {' '.join(messages)}", parameter=field)
    fresh = _with_relations(Article.objects.all()).get(pk=found.pk)
    return _json(ninjs.to_ninjs(fresh))
