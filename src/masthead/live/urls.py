from django.urls import path

from masthead.live import views

app_name = "live"
urlpatterns = [
    path("news/<id:news_id>/updates/", views.updates, name="updates"),
]
