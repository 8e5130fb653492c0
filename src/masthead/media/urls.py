from django.urls import path

from masthead.media import views

app_name = "media"
urlpatterns = [
    path("imgcache/<int:image_id>/<int:width>x<int:height>.jpg", views.rendition, name="rendition"),
]
