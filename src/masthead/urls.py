from django.contrib import admin
from django.urls import include, path

from masthead.epaper import api as epaper_api

urlpatterns = [
    path("newsroom/", admin.site.urls),
    path("media/", include("masthead.media.urls")),
    path("", include("masthead.syndication.urls")),
    path("comments/", include("masthead.comments.urls")),
    path("", include("masthead.search.urls")),
    path("epaper/", include("masthead.epaper.urls")),
    path("api/v1/epaper/issues", epaper_api.issues, name="api-epaper-issues"),
    path("api/v1/epaper/issues/<int:issue_id>", epaper_api.issue, name="api-epaper-issue"),
    path("", include("masthead.news.urls")),
]

handler404 = "masthead.news.views.page_not_found"
handler500 = "masthead.news.views.server_error"
