from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.contrib.admin.apps import AdminConfig


class NewsroomAdminConfig(AdminConfig):
    """Django's admin, as the newsroom at /newsroom/."""

    default_site = "masthead.newsroom.site.NewsroomSite"


class NewsroomConfig(AppConfig):
    name = "masthead.newsroom"
    label = "newsroom"
    verbose_name = _("Newsroom")
