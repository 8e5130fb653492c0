"""The JSON API under ``/api/v1/``: stories as ninjs, sections, tags and authors; token-authenticated writes.

Reads are public and page-cached like the site (surrogate keys ``feeds`` and the story's own);
writes need ``Authorization: Bearer <token>`` and are limited to what the token's user may do.
The document at ``/api/openapi.json`` describes every answer here, and a test holds them to it.
"""

import json
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, F, Q, Value, When
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt

from masthead import characters, jsonerrors, parameters
from masthead.news import listing, storypage, tagging
from masthead.news.models import CHANGED_AT, Article, Author, Section, Tag
from masthead.ratelimit import client_ip
from masthead.stories import changes, hygiene, rules
from masthead.syndication import ninjs
from masthead.delivery import keys
from masthead.news.caching import cacheable, names_on
from masthead.syndication.caching import readable_from_any_site
from masthead.syndication.models import ApiToken, LanguageEdition

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
SLUG = re.compile(r"[-\w]+")
LIST_PARAMS = {"section", "tag", "author", "language", "since", "limit", "cursor"}
WRITABLE = {"headline", "kicker", "summary", "body", "source", "slug", "language", "section", "tags", "authors",
            "translation_of"}


class BadRequest(Exception):
    def __init__(self, parameter: str, message: str, *, status: int = 400):
        super().__init__(message)
        self.parameter, self.message, self.status = parameter, message, status


def _json(data, *, status: int = 200) -> JsonResponse:
    # Stored text may predate the input rules: no answer carries a character that is not text.
    return JsonResponse(characters.strip_all(data), status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _api_view(methods: set[str]):
    """Answer BadRequest as 400 JSON and other methods with 405, so every answer of the API is JSON.

    The views are exempt from CSRF: the API authenticates by token, never by the session cookie
    a forged form would carry, and a write without a token is refused (401) as JSON. Left to the
    CSRF middleware, a POST to a read-only list got Django's HTML 403 instead of the JSON 405.
    """

    def decorate(view):
        @csrf_exempt
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                return jsonerrors.error(405, f"{request.method} is not allowed here; use {', '.join(sorted(methods))}.",
                                        Allow=", ".join(sorted(methods)))
            try:
                return view(request, *args, **kwargs)
            except BadRequest as bad:
                return jsonerrors.error(bad.status, bad.message, parameter=bad.parameter)
            except parameters.BadParameter as bad:
                return jsonerrors.error(400, bad.message, parameter=bad.name)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


@csrf_exempt  # see _api_view
def not_found(request, rest: str = ""):
    """Any address under ``/api/`` that names nothing (``/api/v1/articles/abc``): a JSON 404."""
    return jsonerrors.error(404, f"nothing at {request.path}; the API's addresses are in /api/openapi.json")


# Query parameters -----------------------------------------------------------------------------

def _limit(request) -> int:
    return parameters.whole_number(request.GET.get("limit", str(DEFAULT_LIMIT)), name="limit", low=1, high=MAX_LIMIT)


def _named(request) -> dict:
    """The edition (``language``) and the section, tag and author the request names, each checked."""
    named = {}
    if "language" in request.GET:  # one edition's stories: ?language=fa
        language = request.GET["language"]
        known = [code for code, _name in settings.LANGUAGES]
        if language not in known:
            raise BadRequest("language", f"must be one of the editions' languages, {', '.join(known)}; not {language[:40]!r}")
        named["language"] = language
    for name, model in (("section", Section), ("tag", Tag), ("author", Author)):
        slug = request.GET.get(name)
        if slug is None:
            continue
        # Only a slug can name one; anything else (PostgreSQL cannot even compare U+0000) names nothing.
        found = model.objects.filter(slug=slug).first() if SLUG.fullmatch(slug) else None
        if found is None:
            # 404, not 400: the request is well formed; what it names does not exist.
            raise BadRequest(name, f"no {name} with slug {slug!r}", status=404)
        named[name] = found
    return named


def _filed_under(named: dict, queryset):
    lookups = {"language": "language", "section": "section", "tag": "tags", "author": "authors"}
    return queryset.filter(**{lookups[name]: value for name, value in named.items()})


# Reads --------------------------------------------------------------------------------------

def _with_relations(queryset):
    return queryset.select_related("section").prefetch_related("authors", "tags")


def _as_ninjs(articles, *, user=None) -> list[dict]:
    """``articles`` as ninjs, each with its editions in other languages that ``user`` (None: a reader) may see.

    Two queries for the whole page, however many stories it holds: their story keys, then the
    stories sharing them."""
    articles = list(articles)
    keys_of = dict(LanguageEdition.objects.filter(article_id__in=[a.pk for a in articles]).values_list("article_id", "story"))
    by_key: dict[str, list[Article]] = {}
    if keys_of:
        others = Article.objects.all() if user is not None else Article.objects.visible()
        for other in (others.filter(edition__story__in=set(keys_of.values())).annotate(story_key=F("edition__story"))
                      .only("id", "language", "headline", "slug", "status", "published_at", "created_by_id")
                      .order_by("language", "id")):
            if user is None or other.is_visible() or rules.can_see(user, other):
                by_key.setdefault(other.story_key, []).append(other)
    return [ninjs.to_ninjs(article, translations=[other for other in by_key.get(keys_of.get(article.pk), [])
                                                 if other.pk != article.pk and other.language != article.language])
            for article in articles]


@csrf_exempt  # token-authenticated writes carry no cookie, so there is no session to forge
@_api_view({"GET", "HEAD", "POST"})
def articles(request):
    """GET: visible stories, newest first, or with ``since`` every change since then, oldest first.

    POST: create a draft (needs a token whose user may add articles).
    """
    if request.method == "POST":
        return create(request)
    jsonerrors.check_params(request, LIST_PARAMS)
    limit = _limit(request)
    since = parameters.moment(request.GET["since"], name="since") if "since" in request.GET else None
    cursor = parameters.read_cursor(request.GET["cursor"], name="cursor") if "cursor" in request.GET else None
    named = _named(request)
    if since is None:
        # The site's own keyset pages, newest first: the cursor was checked above.
        owner = named.get("tag") or named.get("author")
        if owner is not None and not {"tag", "author"} <= set(named):
            # A tag's or an author's, from its own rows as its page is read (joined, an old tag read the archive).
            page = listing.page_of(storypage.filed_under(owner, at=timezone.now(), language=named.get("language"),
                                                         section=named.get("section")),
                                   {"before": request.GET.get("cursor")}, size=limit)
            found = _with_relations(Article.objects.filter(pk__in=[story.pk for story in page.items])).in_bulk()
            page.items[:] = [found[story.pk] for story in page.items if story.pk in found]
        else:
            page = listing.paginate(_with_relations(_filed_under(named, Article.objects.visible())),
                                    {"before": request.GET.get("cursor")}, size=limit)
        items = _as_ninjs(page.items)
        next_cursor = page.older
    else:
        # Incremental sync: what became public or changed since ``since``, and what was withdrawn.
        now = timezone.now()
        # Read in the order of the ``article_changed`` index from ``since`` on: a page costs its
        # rows, however many stories changed since (all of them, for a first sync). Which stories
        # a reader may know of is checked row by row (almost every row passes), written as a CASE
        # so that SQLite does not search the status indexes instead and sort every match.
        shown = Case(When(Q(status=Article.Status.PUBLISHED, published_at__lte=now) | Q(status=Article.Status.UNPUBLISHED),
                          then=Value(True)), default=Value(False), output_field=BooleanField())
        queryset = (_filed_under(named, Article.objects.alias(shown=shown).filter(shown=True))
                    .annotate(changed=CHANGED_AT)
                    .filter(changed__gte=since))
        if cursor:
            moment, pk = cursor
            # The bound first, so the index is entered at the cursor rather than at ``since``.
            queryset = queryset.filter(changed__gte=moment).filter(Q(changed__gt=moment) | Q(id__gt=pk))
        # Keys first, then the rows: joined to sections, SQLite would plan a scan of every story.
        changed_rows = list(queryset.order_by("changed", "id").values_list("id", "changed")[: limit + 1])
        found = _with_relations(Article.objects.all()).in_bulk([pk for pk, _ in changed_rows[:limit]])
        usable = [pk for pk, _ in changed_rows[:limit] if found[pk].status == Article.Status.PUBLISHED]
        written = dict(zip(usable, _as_ninjs(found[pk] for pk in usable)))
        items = [written[pk] if pk in written else ninjs.canceled(pk, changed) for pk, changed in changed_rows[:limit]]
        last = changed_rows[limit - 1] if len(changed_rows) > limit else None
        next_cursor = listing.encode(last[1], last[0]) if last else None
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
    jsonerrors.check_params(request, set())
    token = _token(request, required=False)
    queryset = Article.objects.all() if token else Article.objects.visible()
    found = _with_relations(queryset).filter(pk=news_id).first()
    if found is None or not (found.is_visible() or rules.can_see(token.user, found)):
        # The newsroom's own rule: a story readers cannot see is for editors and the account that wrote it.
        return jsonerrors.error(404, f"no visible story with News ID {news_id}")
    if token is not None:  # a token holder's view may include drafts: never page-cache it
        return _as_saved(found, user=token.user)
    return readable_from_any_site(cacheable(_json(_as_ninjs([found])[0]), {found.surrogate_key, *names_on(found)},
                                            last_modified=found.updated_at, strict=True))


def _listing(request, queryset, serialise):
    """A list keyed by id: ``?after=<id>&limit=<n>``."""
    jsonerrors.check_params(request, {"after", "limit"})
    limit = _limit(request)
    after = parameters.whole_number(request.GET.get("after", "0"), name="after")
    rows = list(queryset.filter(pk__gt=after).order_by("pk")[: limit + 1])
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
        "id": s.pk, "name": s.name, "name_fa": s.name_fa, "slug": s.slug, "description": s.description,
        "position": s.position, "url": _site_url(request, s.get_absolute_url())})


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
    token = (ApiToken.objects.authenticate(raw.strip(), address=client_ip(request, proxy_hops=settings.PROXY_HOPS))
             if scheme.lower() == "bearer" and raw.strip() else None)
    if token is None:
        raise BadRequest("Authorization", "the token is unknown, revoked, expired, or its user is inactive", status=401)
    return token


def _found(user, news_id: int) -> Article:
    """The story ``news_id`` if the token's user may see it; 404 otherwise, as the newsroom answers."""
    found = Article.objects.filter(pk=news_id).first()
    if found is None or not (found.is_visible() or rules.can_see(user, found)):
        raise BadRequest("news_id", f"no story with News ID {news_id}", status=404)
    return found


def _version(request, data: dict) -> int | None:
    """The version the writer read: the ``version`` field, or the ETag sent back in ``If-Match``."""
    match = request.META.get("HTTP_IF_MATCH")
    found = re.fullmatch(r'\s*(?:W/)?"v(\d{1,18})"\s*', match) if match is not None else None
    if match is not None and found is None:
        # Whatever it holds, an If-Match that is not the story's ETag fails the precondition (RFC 9110, 13.1.1).
        raise BadRequest("If-Match", f"{match[:40]!r} is not an ETag this API sent; send back the ETag of the story you read",
                         status=412)
    if "version" in data:
        version = data.pop("version")
        if isinstance(version, float) and version.is_integer():
            version = int(version)  # JSON Schema's integer: 3.0 is 3
        if type(version) is not int or version < 1:
            raise BadRequest("version", f"must be the story's version, a whole number from 1, not {version!r}")
        return version
    return int(found.group(1)) if found else None


def _as_saved(article: Article, *, user, status: int = 200) -> JsonResponse:
    """The story as stored, with its version as the ETag a writer sends back in ``If-Match``."""
    fresh = _with_relations(Article.objects.all()).get(pk=article.pk)
    response = _json(_as_ninjs([fresh], user=user)[0], status=status)
    response["ETag"] = f'"v{fresh.version}"'
    response["Cache-Control"] = "private, no-store"
    return response


def through_service(request, change):
    """Make ``change`` (a call of the story service) all or nothing: ``(its result, None)``, or
    ``(None, the API's answer to its refusal)``. Every API write goes through here."""
    try:
        with transaction.atomic():  # a tag named in a refused write is not kept either
            return change(), None
    except ValidationError as invalid:
        field, messages = next(iter(invalid.message_dict.items()))
        return None, jsonerrors.error(400, f"{field}: {' '.join(messages)}", parameter=field)
    except PermissionDenied as refused:
        return None, jsonerrors.error(403, f"this token's user may not do this: {refused}", parameter="Authorization")
    except changes.WorkflowError as refused:
        return None, jsonerrors.error(409, str(refused))
    except changes.StaleVersion as stale:
        code = 412 if request.META.get("HTTP_IF_MATCH") else 409
        return None, jsonerrors.error(code, stale.message, parameter="If-Match" if code == 412 else "version")


def _changed(request, change, *, user, status: int = 200) -> JsonResponse:
    """Make ``change`` through the story service; the story as saved, or the refusal."""
    article, refusal = through_service(request, change)
    if refusal is not None:
        return refusal
    response = _as_saved(article, user=user, status=status)
    if status == 201:
        response["Location"] = reverse("syndication:api-article", args=[article.pk])
    return response


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
    unknown = sorted(set(data) - WRITABLE - {"published_at", "version"})
    if unknown:
        raise BadRequest(unknown[0], f"is not a writable field; writable: {', '.join(sorted(WRITABLE))}")
    # Refused before any lookup by slug or name: PostgreSQL cannot even compare U+0000. The
    # message is the story service's own (stories.hygiene), whichever entrance the text came in by.
    texts = {name: " ".join(v for v in value if isinstance(v, str)) if isinstance(value, list) else value
             for name, value in data.items()}
    for name, message in hygiene.problems(texts).items():
        raise BadRequest(name, f"{name}: {message}")
    return data


def _string_list(data, name, *, longest: int) -> list[str]:
    value = data[name]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise BadRequest(name, "must be a list of non-empty strings")
    if any(len(v.strip()) > longest for v in value):
        raise BadRequest(name, f"holds a name longer than {longest} characters")
    return [v.strip() for v in value]


def _tag_names(data) -> list[str]:
    names = _string_list(data, "tags", longest=80)
    # A tag's address is made of its letters and digits: a name without any has none.
    nameless = next((name for name in names if not slugify(name, allow_unicode=True)), None)
    if nameless is not None:
        raise BadRequest("tags", f"tag {nameless!r} has no letter or digit to make its address from")
    return names


def _values(data: dict) -> tuple[dict, list | None, list | None]:
    """The fields to change, and the tags and authors to set (None: leave as they are), read from ``data``."""
    values = {}
    for name in ("headline", "kicker", "summary", "body", "source", "slug", "language"):
        if name in data:
            if not isinstance(data[name], str):
                raise BadRequest(name, "must be a string")
            values[name] = data[name]
    if "section" in data:
        section = Section.objects.filter(slug=data["section"]).first() if isinstance(data["section"], str) else None
        if section is None:
            raise BadRequest("section", f"no section with slug {data['section']!r}", status=404)
        values["section"] = section
    tags = authors = None
    if "tags" in data:
        names = _tag_names(data)
        hygiene.refuse_bad_text({"tags": ", ".join(names)})  # before a tag of that name is made
        tags = tagging.tags_named(names=names)
    if "authors" in data:
        slugs = _string_list(data, "authors", longest=120)
        authors = list(Author.objects.filter(slug__in=slugs))
        missing = sorted(set(slugs) - {a.slug for a in authors})
        if missing:
            raise BadRequest("authors", f"no author with slug {missing[0]!r}", status=404)
    return values, tags, authors


def _link_translation(article: Article, data: dict, *, user) -> None:
    """Link ``article`` to the story named by ``translation_of`` (its News ID), as the newsroom's field does."""
    other = data.get("translation_of")
    if other is None:
        return
    if isinstance(other, bool) or not isinstance(other, int) or not 1 <= other <= parameters.MAX_ID:
        raise BadRequest("translation_of", "must be the News ID (a whole number) of the same story in another edition")
    # A well-formed News ID that the stories as they stand refuse: 409, as for the desk's other refusals
    # (400 is for a field that is wrong in itself, which the OpenAPI document's schema says).
    if other == article.pk:
        raise BadRequest("translation_of", "a story cannot be its own translation", status=409)
    original = Article.objects.filter(pk=other).first()
    if original is None or not (original.is_visible() or rules.can_see(user, original)):
        raise BadRequest("translation_of", f"no story with News ID {other}", status=404)
    if original.language == article.language:
        raise BadRequest("translation_of", f"story {other} is in {article.language!r} too: a translation is in "
                                           "another edition's language", status=409)
    changes.link_translation(article, of=original, by=user)


def create(request):
    """Create a draft from the JSON body, written by the token's account; ``headline`` and ``section`` are required."""
    token = _token(request)
    if not rules.can_create(token.user):
        raise BadRequest("Authorization", "this token's user may not create stories", status=403)
    data = _body(request)
    if "published_at" in data or "version" in data:
        name = "published_at" if "published_at" in data else "version"
        raise BadRequest(name, "a new story is a draft at version 1; publish it with POST …/publish")
    for name in ("headline", "section"):
        if not data.get(name):
            raise BadRequest(name, "is required")

    def change():
        values, tags, authors = _values(data)
        article = changes.create(Article(status=Article.Status.DRAFT, **values), by=token.user, tags=tags or [],
                                 authors=authors or [])
        _link_translation(article, data, user=token.user)
        return article

    return _changed(request, change, user=token.user, status=201)


def update(request, news_id: int):
    """Change the fields given in the JSON body, as the token's account, from the version it read (if given)."""
    token = _token(request)
    found = _found(token.user, news_id)
    data = _body(request)
    if not data:
        raise BadRequest("body", f"names no field to change; send one or more of {', '.join(sorted(WRITABLE))}")
    if "published_at" in data:
        raise BadRequest("published_at", "set the time with POST …/publish and {\"at\": …}")
    version = _version(request, data)

    def change():
        values, tags, authors = _values(data)
        article = changes.edit(found.pk, by=token.user, values=values, tags=tags, authors=authors, version=version)
        _link_translation(article, data, user=token.user)
        return article

    return _changed(request, change, user=token.user)


@csrf_exempt  # token-authenticated: see ``articles``
@_api_view({"POST"})
def publish(request, news_id: int):
    """Publish a story now, or at ``{"at": "<ISO 8601>"}`` (scheduling it)."""
    token = _token(request)
    found = _found(token.user, news_id)
    data = _parsed(request)
    if not isinstance(data, dict) or set(data) - {"at", "version"}:
        raise BadRequest("body", "takes only {\"at\": \"<ISO 8601 time>\", \"version\": <n>}, or nothing to publish now")
    version = _version(request, data)
    at = parameters.story_time(data["at"], name="at") if isinstance(data.get("at"), str) else None
    if "at" in data and at is None:
        raise BadRequest("at", "must be an ISO 8601 time like 2021-04-12T05:35:00Z")
    return _changed(request, lambda: changes.publish(found.pk, by=token.user, at=at, version=version), user=token.user)


# What other entrances of the API (live updates) share with this module: the same error shape,
# the same tokens, the same JSON.
api_view, json_answer, parsed_body, token_of = _api_view, _json, _parsed, _token
