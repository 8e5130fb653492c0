from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Newsroom accounts: sign-in throttling, two-factor sign-in, one-time passwords and the audit log."""

    name = "masthead.accounts"
    label = "accounts"
    verbose_name = "Accounts"
