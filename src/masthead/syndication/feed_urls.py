"""What each edition publishes for machines: its feeds and its own sitemaps.

Included among the edition-prefixed patterns, so the Persian edition has the same addresses under
``/fa/`` (``/fa/feeds/rss/``, ``/fa/News/Feed``, ``/fa/sitemaps/news.xml``) and each answers with
that edition's stories only. The sitemap index, the article sitemaps (by News ID, both editions)
and the API stay unprefixed, in ``syndication/urls.py``.
"""

from django.urls import path

from masthead.syndication import feeds, sitemaps

app_name = "feeds"

# The tag feeds' "uslug" converter is registered by masthead.news.urls, which masthead.syndication.urls
# (included before this, outside the editions) imports: this layer may not import the wiring itself.

urlpatterns = [
    path("sitemaps/pages.xml", sitemaps.pages, name="sitemap-pages"),
    path("sitemaps/news.xml", sitemaps.news, name="sitemap-news"),
    path("News/Feed", feeds.legacy_feed, name="legacy-feed"),
    path("feeds/rss/", feeds.StoryFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.AtomStoryFeed(), name="feed-atom"),
    path("feeds/json/", feeds.json_feed, name="feed-json"),
    *(
        path(f"feeds/{kind}/<{converter}:slug>/{format_name}/", view, name=f"{kind}-feed-{format_name}")
        for kind, converter in (("section", "slug"), ("tag", "uslug"), ("author", "slug"))
        for format_name, view in feeds.kind_feeds(kind).items()
    ),
]
