from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EpaperConfig(AppConfig):
    name = "masthead.epaper"
    verbose_name = _("E-paper")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from masthead.epaper import reading
        from masthead.search import printed

        printed.register(reading.search)  # the site's search lists the printed pages too
