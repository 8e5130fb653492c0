from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class NewsroomSite(admin.AdminSite):
    site_header = _("Newsroom")
    index_title = _("Today's desk")

    @property
    def site_title(self):
        return f"{settings.SITE_NAME} newsroom"

    site_url = "/"
