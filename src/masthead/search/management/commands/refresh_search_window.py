from django.core.management.base import BaseCommand

from masthead import search


class Command(BaseCommand):
    help = ("Keep the search index's indexes of the newest stories narrow, and give entries indexed before pairs of "
            "words were their pairs (PostgreSQL; run it daily). "
            "Built without blocking readers or editors; on SQLite there is nothing to do.")

    def handle(self, *args, **options):
        backend = search.backend()
        paired = backend.pair_entries()
        if paired:
            self.stdout.write(f"{paired:,} entries written before phrases were indexed by their pairs of words now have theirs.")
        names = backend.refresh_window_index(concurrently=True)
        if not names:
            self.stdout.write("No index of the newest stories is needed: the whole index answers quickly at this size.")
        else:
            self.stdout.write(f"The newest stories are indexed apart in {', '.join(names)}.")
