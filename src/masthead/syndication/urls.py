from django.urls import path, re_path

from masthead.news import urls as news_urls  # noqa: F401  registers the "uslug" converter
from masthead.syndication import api, openapi, sharecards, sitemaps

app_name = "syndication"

urlpatterns = [
    path("robots.txt", sitemaps.robots, name="robots"),
    path("cards/<id:news_id>/<slug:key>/<number:width>x<number:height>.jpg", sharecards.share_card, name="share-card"),
    path("sitemap.xml", sitemaps.index, name="sitemap-index"),
    path("sitemaps/articles-<number:page>.xml", sitemaps.articles, name="sitemap-articles"),
    path("api/openapi.json", openapi.document, name="openapi"),
    path("api/v1/articles", api.articles, name="api-articles"),
    path("api/v1/articles/<id:news_id>", api.article, name="api-article"),
    path("api/v1/articles/<id:news_id>/publish", api.publish, name="api-publish"),
    path("api/v1/sections", api.sections, name="api-sections"),
    path("api/v1/tags", api.tags, name="api-tags"),
    path("api/v1/authors", api.authors, name="api-authors"),
    # Last: whatever else is asked under /api/ gets the API's JSON 404, not the site's HTML page.
    re_path(r"^api/(?P<rest>.*)$", api.not_found, name="api-not-found"),
]
