from django.core.management.base import BaseCommand, CommandError

from masthead import rediscache
from masthead.audience import folding


class Command(BaseCommand):
    help = "Copy the read counts held in Redis into the StoryReads table (run it every minute)."

    def handle(self, *args, **options):
        try:
            written = folding.fold()
        except rediscache._outage_errors() as error:
            raise CommandError(f"Redis at MASTHEAD_CACHE_URL did not answer ({error}); the counts stay there "
                               "for three days: run fold_reads again when it is back.") from error
        self.stdout.write(f"Folded {written} story-hour count(s) into StoryReads.")
