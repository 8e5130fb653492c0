import anymail.urls
from django.urls import URLPattern, path

from masthead.newsletters import views

app_name = "newsletters"
urlpatterns = [
    path("", views.form, name="form"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # The mail providers' webhooks: /newsletter/<provider>/tracking/ (anymail's own routes).
    *(URLPattern(route.pattern, views.provider_webhook(route.callback), name=f"anymail-{route.name}")
      for route in anymail.urls.urlpatterns if route.name.endswith("tracking_webhook")),
]
