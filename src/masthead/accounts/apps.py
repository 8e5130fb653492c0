from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Newsroom accounts: sign-in throttling, two-factor sign-in, one-time passwords and the audit log."""

    name = "masthead.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
