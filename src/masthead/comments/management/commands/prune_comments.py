from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from masthead.comments import moderation


class Command(BaseCommand):
    help = ("Erase comments' IP addresses and browsers, and delete rejected and spam comments, older than "
            "MASTHEAD_COMMENT_RETENTION_DAYS; delete expired Security Keys. Run it daily (cron or a timer).")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="Keep this many days instead of MASTHEAD_COMMENT_RETENTION_DAYS.")

    def handle(self, *args, days, **options):
        days = settings.COMMENT_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError(f"--days {days}: keep at least one day, or moderators lose what they need today.")
        done = moderation.prune(days=days)
        self.stdout.write(f"Older than {days} days: erased the address and browser of {done['erased']} comment(s), "
                          f"deleted {done['deleted']} rejected or spam comment(s); deleted {done['keys']} expired "
                          "Security Key(s).")
