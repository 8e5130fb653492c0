from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from masthead import parameters

# Before the apps' URLconfs, which use <id:…> and <number:…>.
parameters.register_converters()

urlpatterns = [
    path("newsroom/", admin.site.urls),
    path("media/", include("masthead.media.urls")),
    path("", include("masthead.syndication.urls")),
]
# The reader pages of each edition: English at /, Persian under /fa/ (masthead.editions).
urlpatterns += i18n_patterns(
    path("comments/", include("masthead.comments.urls")),
    path("", include("masthead.search.urls")),
    path("", include("masthead.news.urls")),
    prefix_default_language=False,
)

handler404 = "masthead.news.views.page_not_found"
handler500 = "masthead.news.views.server_error"
