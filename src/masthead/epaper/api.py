"""The printed issues in the JSON API: ``/api/v1/epaper/issues`` and one issue with its pages.

The same shapes as the rest of ``/api/v1/`` (a list keyed by id with a ``next`` link; errors as
``{"error": {"status", "message", "parameter"}}``), described in the OpenAPI document.
"""

from django.conf import settings
from django.http import JsonResponse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt

from masthead import jsonerrors, parameters
from masthead.news.caching import cacheable
from masthead.epaper.importing import ARCHIVE_KEY
from masthead.epaper.models import Issue

MAX_LIMIT, DEFAULT_LIMIT = 100, 20


def _answer(data, *, keys: set[str], reads: set[str] = frozenset()) -> JsonResponse:
    # Cached under its keys; a request with a parameter it does not read is answered by the view (a 400).
    response = cacheable(JsonResponse(data, json_dumps_params={"ensure_ascii": False}), keys,
                         bounded_by_schedule=False, reads=reads, strict=True)
    response["Access-Control-Allow-Origin"] = "*"  # the same for everyone: no cookies are sent with "*"
    return response


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _issue(issue: Issue) -> dict:
    return {"id": issue.pk, "date": issue.date.isoformat(), "kind": issue.kind, "number": issue.number,
            "title": issue.title, "pages": len(issue.pages.all()), "url": _url(issue.get_absolute_url()),
            "pdf": _url(issue.address("issue-pdf")), "imported": issue.imported_at.isoformat()}


# Read-only and sent without cookies: no CSRF token to check, and any other method gets the API's JSON 405.
@csrf_exempt
def issues(request):
    """Issues by id (a re-imported issue gets a new one): ``?after=<id>&limit=<n>``."""
    if request.method not in ("GET", "HEAD"):
        return jsonerrors.error(405, f"{request.method} is not allowed here; use GET, HEAD.", Allow="GET, HEAD")
    try:
        jsonerrors.check_params(request, {"after", "limit"})
        limit = parameters.whole_number(request.GET.get("limit", str(DEFAULT_LIMIT)), name="limit", low=1, high=MAX_LIMIT)
        after = parameters.whole_number(request.GET.get("after", "0"), name="after")
    except parameters.BadParameter as bad:
        return jsonerrors.error(400, bad.message, parameter=bad.name)
    rows = list(Issue.objects.filter(pk__gt=after).order_by("pk").prefetch_related("pages")[:limit + 1])
    following = None
    if len(rows) > limit:
        following = _url(f"{request.path}?{urlencode({'after': rows[limit - 1].pk, 'limit': limit})}")
    return _answer({"items": [_issue(i) for i in rows[:limit]], "next": following}, keys={ARCHIVE_KEY},
                   reads={"after", "limit"})


@csrf_exempt  # see ``issues``
def issue(request, issue_id: int):
    """One issue with its pages: sizes in points, images, PDFs, text, and the stories mapped on them."""
    if request.method not in ("GET", "HEAD"):
        return jsonerrors.error(405, f"{request.method} is not allowed here; use GET, HEAD.", Allow="GET, HEAD")
    try:
        jsonerrors.check_params(request, set())
    except parameters.BadParameter as bad:
        return jsonerrors.error(400, bad.message, parameter=bad.name)
    found = Issue.objects.filter(pk=issue_id).prefetch_related("pages__regions").first()
    if found is None:
        return jsonerrors.error(404, f"No issue with id {issue_id}; a re-imported issue has a new id "
                                     "(list them at /api/v1/epaper/issues).")
    pages = [{
        "number": p.number, "width": p.width, "height": p.height, "url": _url(p.get_absolute_url()),
        "text": p.reading_text, "pdf": _url(found.address("page-pdf", p.number)),
        "images": {size: _url(found.scan(p.number, size)) for size in ("large", "page", "thumb")},
        "stories": [{"news_id": r.article_id, "x": r.x, "y": r.y, "width": r.width, "height": r.height}
                    for r in p.regions.all() if r.confirmed],
    } for p in found.pages.all()]
    return _answer({**_issue(found), "pages_detail": pages}, keys={found.surrogate_key})
