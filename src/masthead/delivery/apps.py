from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "masthead.delivery"
    verbose_name = "Delivery"

    def ready(self):
        from masthead.delivery import policies  # noqa: F401  (registers its deploy check)
