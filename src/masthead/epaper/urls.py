import datetime as dt

from django.urls import include, path, register_converter

from masthead.epaper import feeds, views


class IsoDateConverter:
    """``2021-04-12``; an impossible date (``2021-02-30``) is no match, so it answers 404."""

    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(value)


register_converter(IsoDateConverter, "isodate")

# One issue's pages, the same for the daily paper and for a special under its own address.
issue_patterns = [
    path("", views.issue, name="issue"),
    path("issue.pdf", views.issue_pdf, name="issue-pdf"),
    path("<number:page>/", views.page, name="page"),
    path("<number:page>/text/", views.page_text, name="page-text"),
    path("<number:page>.pdf", views.page_pdf, name="page-pdf"),
]

app_name = "epaper"
urlpatterns = [
    path("", views.archive, name="archive"),
    path("search/", views.search, name="search"),
    path("feed/", feeds.IssueFeed(), name="feed"),
    path("scans/<id:issue_id>/<str:token>/<number:page>-<str:size>.jpg", views.scan, name="scan"),
    path("special/<isodate:date>/<str:slug>/", include((issue_patterns, "special"))),
    path("<isodate:date>/", include(issue_patterns)),
]
