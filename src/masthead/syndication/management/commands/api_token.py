from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from masthead.syndication.models import ApiToken


class Command(BaseCommand):
    help = "Make an API token for a newsroom account; it may do in the API what that account may do."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="automation", help="What the token is for.")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account {username!r}: make it in the newsroom first, or check the spelling.")
        token, raw = ApiToken.objects.create_for(user, name=name)
        self.stdout.write(f"API token {token.name!r} for {username}: {raw}\n"
                          "  Send it as 'Authorization: Bearer <token>'. It is not shown again.")
