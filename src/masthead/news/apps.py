from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "masthead.news"
    verbose_name = "News"
