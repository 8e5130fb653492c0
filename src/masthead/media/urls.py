from django.urls import path

from masthead.media import views

app_name = "media"
urlpatterns = [
    path("imgcache/<id:image_id>/<number:width>x<number:height>.jpg", views.rendition, name="rendition"),
]
