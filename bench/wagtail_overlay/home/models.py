# Overlaid onto a stock `wagtail start` project by bench/peers.py.
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    subpage_types = ["home.ArticlePage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Latest 10, like WordPress's default home page (posts_per_page = 10).
        # Every ArticlePage lives under the home page (parent_page_types), so no
        # child_of(self): with it SQLite scans all of wagtailcore_page and sorts
        # (~15 ms at 10k pages); without it, it walks the `published` index.
        context["articles"] = ArticlePage.objects.live().order_by("-published")[:10]
        return context


class ArticlePage(Page):
    headline = models.CharField(max_length=255)
    published = models.DateTimeField(db_index=True)
    body = RichTextField()

    content_panels = Page.content_panels + [
        FieldPanel("headline"),
        FieldPanel("published"),
        FieldPanel("body"),
    ]
    parent_page_types = ["home.HomePage"]
