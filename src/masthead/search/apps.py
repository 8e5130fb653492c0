from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.core import checks


class SearchConfig(AppConfig):
    name = "masthead.search"
    verbose_name = _("Search")

    def ready(self):
        checks.register(fts5_check, checks.Tags.database)


def fts5_check(app_configs=None, databases=None, **kwargs):
    """``masthead check --database default``: a SQLite without FTS5 is reported with the fix."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import connections

    from masthead.search.backends.sqlite import require_fts5

    errors = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "sqlite":
            continue
        try:
            with connection.cursor() as cursor:
                require_fts5(cursor)
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), id="masthead.search.E001"))
    return errors
