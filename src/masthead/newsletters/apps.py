from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewslettersConfig(AppConfig):
    name = "masthead.newsletters"
    label = "newsletters"
    verbose_name = _("Newsletters")

    def ready(self):
        from anymail.signals import tracking

        from masthead.newsletters import bounces, subscriptions

        tracking.connect(bounces.record, dispatch_uid="masthead.newsletters.bounces")
        subscriptions.limits()  # a malformed MASTHEAD_NEWSLETTER_RATE_* fails at start-up, naming its variable
