import contextlib

from django.core.management.base import BaseCommand
from django.db import connection, transaction

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

        # On SQLite one transaction: readers and editors see the old indexes until both new ones commit.
        # On PostgreSQL each is made beside the one in use and swapped in when done, so searches and
        # saves go on (one transaction around both would hold the first swap's locks through the second).
        with transaction.atomic() if connection.vendor == "sqlite" else contextlib.nullcontext():
            count = search.rebuild(progress=progress("indexed for search"))
            words = bulk.rebuild_headline_words(progress=progress("indexed by headline words"))
        self.stdout.write(f"Search index rebuilt: {count} stories. Headline words rebuilt: {words} stories.")
