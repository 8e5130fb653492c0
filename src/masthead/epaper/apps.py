from django.apps import AppConfig


class EpaperConfig(AppConfig):
    name = "masthead.epaper"
    verbose_name = "E-paper"
    default_auto_field = "django.db.models.BigAutoField"
