from django.urls import path, re_path

from masthead.news import urls as news_urls  # noqa: F401  registers the "uslug" converter
from masthead.syndication import api, feeds, openapi, sharecards, sitemaps

app_name = "syndication"

urlpatterns = [
    path("robots.txt", sitemaps.robots, name="robots"),
    path("cards/<id:news_id>/<slug:key>/<number:width>x<number:height>.jpg", sharecards.share_card, name="share-card"),
    path("sitemap.xml", sitemaps.index, name="sitemap-index"),
    path("sitemaps/pages.xml", sitemaps.pages, name="sitemap-pages"),
    path("sitemaps/news.xml", sitemaps.news, name="sitemap-news"),
    path("sitemaps/articles-<number:page>.xml", sitemaps.articles, name="sitemap-articles"),
    path("News/Feed", feeds.legacy_feed, name="legacy-feed"),
    path("feeds/rss/", feeds.StoryFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.AtomStoryFeed(), name="feed-atom"),
    path("feeds/json/", feeds.json_feed, name="feed-json"),
    *(
        path(f"feeds/{kind}/<{converter}:slug>/{format_name}/", view, name=f"{kind}-feed-{format_name}")
        for kind, converter in (("section", "slug"), ("tag", "uslug"), ("author", "slug"))
        for format_name, view in feeds.kind_feeds(kind).items()
    ),
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
