"""The API's one error shape, ``{"error": {"status", "message", "parameter"}}``, and its query check.

Every answer under ``/api/`` is JSON, the errors Django raises before a view runs included
(too many query fields, an unknown address, a crash): ``masthead.news.views`` hands those here.
"""

from django.http import JsonResponse

from masthead import parameters

API_PREFIX = "/api/"


def error(status: int, message: str, *, parameter: str | None = None, **headers) -> JsonResponse:
    """An error answer; ``headers`` are sent as given, ``_`` in a name becoming ``-``."""
    body = {"status": status, "message": message, **({"parameter": parameter} if parameter else {})}
    response = JsonResponse({"error": body}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def check_params(request, allowed: set[str]) -> None:
    """Refuse a query parameter the endpoint does not take, or one given twice (``BadParameter``)."""
    for name in request.GET:
        if name not in allowed:
            raise parameters.BadParameter(name, f"unknown parameter; this endpoint takes {', '.join(sorted(allowed))}")
        if len(request.GET.getlist(name)) > 1:
            # Django would read the last and drop the rest unchecked: say which one counts instead.
            raise parameters.BadParameter(name, "is given more than once; give it once")
