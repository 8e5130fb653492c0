"""A live story's updates as an Atom feed: each update an entry, so feed readers follow the coverage."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils import translation
from django.utils.translation import gettext as _

from masthead import characters
from masthead.delivery import keys
from masthead.live.display import live_coverage
from masthead.news.addresses import address
from masthead.news.caching import cacheable
from masthead.news.models import Article

# Feed readers poll; the newest updates are what they have not seen.
FEED_UPDATES = 50


class UpdatesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, news_id: int):
        story = Article.objects.visible().filter(pk=news_id).select_related("section").first()
        if story is None or live_coverage(story) is None:
            raise Http404(_("Story %(id)s has no live coverage.") % {"id": news_id})
        return story

    def title(self, story):
        return _("Live: %(headline)s") % {"headline": story.headline}

    def link(self, story):
        return settings.SITE_URL + story.get_absolute_url()

    def subtitle(self, story):
        return story.summary or story.headline

    def feed_url(self, story):
        with translation.override(story.language):
            return settings.SITE_URL + address("live:feed", story.pk)

    def items(self, story):
        updates = live_coverage(story).updates[:FEED_UPDATES]
        for update in updates:
            update.article = story  # every entry links into the one story: not a query per entry
        return updates

    def item_title(self, update):
        return update.headline or strip_tags(update.body_html).strip()[:110]

    def item_description(self, update):
        correction = f'<p>{_("Correction")}: {update.correction}</p>' if update.edited_at else ""
        return update.body_html + correction

    def item_link(self, update):
        return settings.SITE_URL + update.article.get_absolute_url() + f"#{update.anchor}"

    def item_guid(self, update):
        return self.item_link(update)

    item_guid_is_permalink = True

    def item_pubdate(self, update):
        return update.created_at

    def item_updateddate(self, update):
        return update.edited_at or update.created_at

    def item_author_name(self, update):
        return update.author_name

    def get_feed(self, obj, request):
        generator = super().get_feed(obj, request)
        generator.feed = characters.strip_all(generator.feed)
        generator.items = characters.strip_all(generator.items)
        return generator

    def __call__(self, request, news_id: int):
        response = super().__call__(request, news_id=news_id)
        # Purged with the story's page by every change to its coverage.
        return cacheable(response, {keys.article(news_id)}, bounded_by_schedule=False)


updates_feed = UpdatesFeed()
