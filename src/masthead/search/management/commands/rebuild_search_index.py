from django.core.management.base import BaseCommand

from masthead import search


class Command(BaseCommand):
    help = "Index every published story afresh (after a bulk import, or to repair the index)."

    def handle(self, *args, **options):
        def progress(done: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{done} stories indexed…")

        count = search.rebuild(progress=progress)
        self.stdout.write(f"Search index rebuilt: {count} stories.")
