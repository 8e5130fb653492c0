"""An RSS feed of the newest printed issues, dailies and specials alike, for readers who follow the paper."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.translation import gettext as _

from masthead import house
from masthead.epaper.importing import ARCHIVE_KEY
from masthead.epaper.models import Issue

ISSUES = 30


class IssueFeed(Feed):
    def title(self):
        return _("%(site)s: the printed paper") % {"site": settings.SITE_NAME}

    # Absolute, from MASTHEAD_SITE_URL: every link a feed gives names the public site, not the host asked.
    def link(self):
        return settings.SITE_URL + "/epaper/"

    def feed_url(self):
        return settings.SITE_URL + "/epaper/feed/"

    def description(self):
        return _("Each new issue of the printed paper, page by page.")

    def items(self):
        return Issue.objects.newest_first().prefetch_related("pages")[:ISSUES]

    def item_title(self, issue):
        day = house.day(issue.moment)
        return f"{issue.title}, {day}" if issue.title else day

    def item_description(self, issue):
        count = len(issue.pages.all())
        number = _("No. %(n)s, ") % {"n": issue.number} if issue.number else ""
        return number + _("%(count)s pages") % {"count": count}

    def item_link(self, issue):
        return settings.SITE_URL + issue.get_absolute_url()

    def item_guid(self, issue):
        # The issue's address, not its row: a re-import makes a new row for the same issue.
        return settings.SITE_URL + issue.get_absolute_url()

    item_guid_is_permalink = True

    def item_pubdate(self, issue):
        return issue.moment

    def item_updateddate(self, issue):
        return issue.imported_at

    def item_enclosure_url(self, issue):
        return settings.SITE_URL + issue.address("issue-pdf")

    item_enclosure_mime_type = "application/pdf"

    def item_enclosure_length(self, issue):
        return 0  # unknown without reading the file; RSS allows 0 when the length is not known

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response.surrogate_keys = {ARCHIVE_KEY}  # every import purges it
        newest = Issue.objects.newest_first().values_list("imported_at", flat=True).first()
        response.last_modified = newest
        return response
