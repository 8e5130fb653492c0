from django.apps import AppConfig


class EpaperConfig(AppConfig):
    name = "masthead.epaper"
    verbose_name = "E-paper"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from masthead.epaper import reading
        from masthead.search import printed

        printed.register(reading.search)  # the site's search lists the printed pages too
