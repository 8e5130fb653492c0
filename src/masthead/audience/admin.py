"""The newsroom's audience page: reads per hour of a story as a chart, today's top stories, reads by section."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from masthead import parameters
from masthead.audience import charts, reports
from masthead.audience.models import StoryReads
from masthead.news.models import Article
from masthead.viewonly import ViewOnly


@admin.register(StoryReads)
class AudienceAdmin(ViewOnly, admin.ModelAdmin):
    """Listed on the newsroom's index as "Audience"; its page is the report, not a list of rows to edit."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise admin.sites.PermissionDenied
        story, problem, status = None, None, 200
        raw = request.GET.get("story", "").strip()
        if raw:
            try:
                news_id = parameters.database_id(raw, name="story")
            except parameters.BadParameter as error:
                problem, status = str(error), 400
            else:
                story = Article.objects.filter(pk=news_id).only("id", "headline", "slug", "language").first()
                if story is None:
                    problem, status = _("No story with News ID %(id)s.") % {"id": news_id}, 404
        chart = None
        if story is not None:
            chart = charts.reads_per_hour(reports.hourly(story_id=story.pk),
                                          title=_("Reads per hour of “%(headline)s”") % {"headline": story.headline})
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": _("Audience"),
            "story": story, "problem": problem, "chart": chart, "asked": raw,
            "story_url": reverse("admin:news_article_change", args=[story.pk]) if story else None,
            "top": reports.top_today(), "sections": reports.by_section(), **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/audience/storyreads/audience.html", context, status=status)
