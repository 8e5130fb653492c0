import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from masthead.accounts.models import OneTimePassword


class Command(BaseCommand):
    help = "Make the first newsroom account with a one-time password, unless an administrator exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")

    def handle(self, *args, username, **options):
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write("Newsroom: sign in with your existing account "
                              "(forgotten password: .venv/bin/masthead changepassword USERNAME).")
            return
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            user = users.objects.create_superuser(username=username, email="", password=password)
            # The password has been on a terminal, maybe in a log: it opens only the form that replaces it.
            OneTimePassword.objects.create(user=user)
        self.stdout.write(f"Newsroom account created: user {username!r}, one-time password {password!r}\n"
                          f"  Signing in with it asks for a new password at once. It is not shown again.")
