from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "masthead.comments"
    label = "comments"
    verbose_name = _("Reader comments")

    def ready(self):
        from masthead.comments import posting

        posting.limits()  # a malformed MASTHEAD_*_PER_* limit fails at start-up, naming its variable
