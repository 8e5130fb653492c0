from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "masthead.syndication"
    verbose_name = "Syndication"
