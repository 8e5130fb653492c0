from django.conf import settings
from django.core.management.base import BaseCommand

from masthead.epaper import demo as epaper_demo
from masthead.live import demo as live_demo
from masthead.news import demo


class Command(BaseCommand):
    help = "Load the demo newspaper (idempotent: existing stories are kept, nothing is duplicated)."

    def handle(self, *args, **options):
        created = demo.load()
        created["live stories"] = live_demo.load()
        summary = ", ".join(f"{count} {kind}" for kind, count in created.items())
        issues = epaper_demo.load(site_name=settings.SITE_NAME)
        self.stdout.write(f"Demo newspaper loaded: created {summary}; {issues} printed issues imported.")
