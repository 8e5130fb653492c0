from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "masthead.backups"
    verbose_name = "Backups"
