from django.urls import path, register_converter

from masthead.news import corrections, views


class UnicodeSlugConverter:
    """Slugs in any script: Persian headlines make Persian slugs."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")

app_name = "news"
urlpatterns = [
    path("", views.home, name="home"),
    path("news/<id:news_id>/", views.article, name="article-short"),
    path("news/<id:news_id>/<uslug:slug>/", views.article, name="article"),
    path("news/<id:news_id>/<uslug:slug>/print/", views.article, name="print"),
    path("News/<id:news_id>.html", views.legacy_article, name="legacy-article"),
    path("section/<slug:slug>/", views.section, name="section"),
    path("tag/<uslug:slug>/", views.tag, name="tag"),
    path("author/<slug:slug>/", views.author, name="author"),
    path("archive/<number:year>/", views.archive, name="archive-year"),
    path("archive/<number:year>/<number:month>/", views.archive, name="archive-month"),
    path("archive/<number:year>/<number:month>/<number:day>/", views.archive, name="archive-day"),
    path("corrections/", corrections.corrections, name="corrections"),
]
