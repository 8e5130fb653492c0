from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from masthead import parameters
from masthead.audience import beacon
from masthead.epaper import api as epaper_api
from masthead.live import api as live_api

# Before the apps' URLconfs, which use <id:…> and <number:…>.
parameters.register_converters()

urlpatterns = [
    path("newsroom/", admin.site.urls),
    path("media/", include("masthead.media.urls")),
    path("hit/<path:rest>", beacon.view, name="read-beacon"),  # answered in front of Django under masthead.wsgi
    # Before the syndication URLconf, whose last pattern answers any other /api/ address with a JSON 404.
    path("api/v1/epaper/issues", epaper_api.issues, name="api-epaper-issues"),
    path("api/v1/epaper/issues/<id:issue_id>", epaper_api.issue, name="api-epaper-issue"),
    path("api/v1/articles/<id:news_id>/updates", live_api.updates, name="api-live-updates"),
    path("api/v1/articles/<id:news_id>/updates/<number:number>", live_api.update, name="api-live-update"),
    path("", include("masthead.syndication.urls")),
]
# The reader pages of each edition: English at /, Persian under /fa/ (masthead.editions).
urlpatterns += i18n_patterns(
    path("comments/", include("masthead.comments.urls")),
    path("newsletter/", include("masthead.newsletters.urls")),
    path("", include("masthead.search.urls")),
    path("", include("masthead.syndication.feed_urls")),
    path("epaper/", include("masthead.epaper.urls")),
    # Before the stories' own addresses, where "updates" would be read as a slug.
    path("", include("masthead.live.urls")),
    path("", include("masthead.news.urls")),
    prefix_default_language=False,
)

handler400 = "masthead.news.views.bad_request"
handler403 = "masthead.news.views.permission_denied"
handler404 = "masthead.news.views.page_not_found"
handler500 = "masthead.news.views.server_error"
