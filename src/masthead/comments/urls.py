from django.urls import path

from masthead.comments import views

app_name = "comments"
urlpatterns = [
    path("<id:news_id>/key/", views.key_frame, name="key"),
    path("<id:news_id>/key.png", views.key_image, name="key-image"),
    path("<id:news_id>/key.wav", views.key_audio, name="key-audio"),
    path("<id:news_id>/key/answer", views.key_answer, name="key-answer"),
    path("<id:news_id>/post/", views.post, name="post"),
    path("<id:news_id>/reply/<id:comment_id>/", views.reply, name="reply"),
]
