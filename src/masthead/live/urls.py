from django.urls import path

from masthead.live import feeds, views

app_name = "live"
urlpatterns = [
    path("news/<id:news_id>/updates/", views.updates, name="updates"),
    path("news/<id:news_id>/updates/feed/", feeds.updates_feed, name="feed"),
    # Served by live/streams.py in front of Django; the view answers only where that front is absent.
    path("news/<id:news_id>/updates/stream/", views.stream, name="stream"),
]
