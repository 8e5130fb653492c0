from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.core.signals import setting_changed


def _settings_changed(*, setting, **kwargs):
    # Another cache backend means another purge fan-out and other pages (tests override CACHES).
    if setting in ("CACHES", "VAR_DIR"):
        from masthead.delivery import fanout, pagecache

        fanout.reset()
        pagecache.clear()


class DeliveryConfig(AppConfig):
    name = "masthead.delivery"
    verbose_name = _("Delivery")

    def ready(self):
        from masthead.delivery import policies  # noqa: F401  (registers its deploy check)
        setting_changed.connect(_settings_changed)
