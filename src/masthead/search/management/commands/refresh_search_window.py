from django.core.management.base import BaseCommand

from masthead import search


class Command(BaseCommand):
    help = ("Keep the search index's indexes of the newest stories narrow (PostgreSQL; run it daily). "
            "Built without blocking readers or editors; on SQLite there is nothing to do.")

    def handle(self, *args, **options):
        names = search.backend().refresh_window_index(concurrently=True)
        if not names:
            self.stdout.write("No index of the newest stories is needed: the whole index answers quickly at this size.")
        else:
            self.stdout.write(f"The newest stories are indexed apart in {', '.join(names)}.")
