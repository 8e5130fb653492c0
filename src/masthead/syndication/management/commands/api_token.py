from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.core.management.base import BaseCommand, CommandError

from masthead.syndication.models import ApiToken


class Command(BaseCommand):
    help = "Make an API token for a newsroom account; it may do in the API what that account may do."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="automation", help="What the token is for.")
        parser.add_argument("--days", type=int, default=None,
                            help="Days until the token expires (default: MASTHEAD_API_TOKEN_DAYS, 90).")

    def handle(self, *args, username, name, days, **options):
        if days is not None and not 1 <= days <= 3650:
            raise CommandError(f"--days {days}: give a number of days from 1 to 3650.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account {username!r}: make it in the newsroom first, or check the spelling.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        token, raw = ApiToken.objects.create_for(user, name=name, expires_at=expires_at)
        self.stdout.write(f"API token {token.name!r} for {username}: {raw}\n"
                          f"  Send it as 'Authorization: Bearer <token>'. It expires {token.expires_at:%Y-%m-%d %H:%M} UTC "
                          "and is not shown again.")
