from django.core.management.base import BaseCommand
from django.db import transaction

from masthead import search
from masthead.stories import bulk


class Command(BaseCommand):
    help = "Index every story afresh: the site's search (published stories) and the newsroom's headline words (all)."

    def handle(self, *args, **options):
        def progress(what: str):
            def report(done: int) -> None:
                if options["verbosity"] > 1:
                    self.stdout.write(f"{done} stories {what}…")
            return report

        # One transaction: on SQLite readers and editors see the old indexes until both new ones
        # commit; on PostgreSQL both tables are emptied by TRUNCATE, so their searches wait for it.
        with transaction.atomic():
            count = search.rebuild(progress=progress("indexed for search"))
            words = bulk.rebuild_headline_words(progress=progress("indexed by headline words"))
        self.stdout.write(f"Search index rebuilt: {count} stories. Headline words rebuilt: {words} stories.")
