from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("newsroom/", admin.site.urls),
    path("media/", include("masthead.media.urls")),
    path("", include("masthead.syndication.urls")),
    path("comments/", include("masthead.comments.urls")),
    path("newsletter/", include("masthead.newsletters.urls")),
    path("", include("masthead.search.urls")),
    path("", include("masthead.news.urls")),
]

handler404 = "masthead.news.views.page_not_found"
handler500 = "masthead.news.views.server_error"
