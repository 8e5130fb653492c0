from django.urls import path

from masthead.newsletters import views

app_name = "newsletters"
urlpatterns = [
    path("", views.form, name="form"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
