from django.urls import path

from masthead.media import views

app_name = "media"
urlpatterns = [
    path("imgcache/<id:image_id>/<number:width>x<number:height>.jpg", views.rendition, name="rendition"),
    path("imgcache/<id:image_id>/<number:width>x<number:height>-f<number:focal_x>-<number:focal_y>.jpg",
         views.rendition, name="focused_rendition"),
]
