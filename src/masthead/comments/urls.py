from django.urls import path

from masthead.comments import views

app_name = "comments"
urlpatterns = [
    path("<int:news_id>/key/", views.key_frame, name="key"),
    path("<int:news_id>/key.png", views.key_image, name="key-image"),
    path("<int:news_id>/key.wav", views.key_audio, name="key-audio"),
    path("<int:news_id>/key/answer", views.key_answer, name="key-answer"),
    path("<int:news_id>/post/", views.post, name="post"),
    path("<int:news_id>/reply/<int:comment_id>/", views.reply, name="reply"),
]
