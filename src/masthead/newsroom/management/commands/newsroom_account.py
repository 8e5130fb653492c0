import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


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
        users.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(f"Newsroom account created: user {username!r}, one-time password {password!r}\n"
                          f"  Change it after signing in (newsroom → Change password). It is not shown again.")
