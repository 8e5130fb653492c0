"""What readers read: a count of reads per story per hour, and nothing about the readers."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from masthead.news.models import Article


class StoryReads(models.Model):
    """Reads of one story in one hour (UTC, the hour's start), as counted by the page's beacon."""

    story = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+", verbose_name=_("story"))
    hour = models.DateTimeField(_("hour"))
    count = models.PositiveIntegerField(_("reads"), default=0)

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audience")
        constraints = [models.UniqueConstraint(fields=["story", "hour"], name="audience_one_row_per_story_hour")]
        # The lists and the audience page ask "which stories, since when": the hour leads.
        indexes = [models.Index(fields=["hour", "story"], name="audience_reads_by_hour")]

    def __str__(self) -> str:
        return f"{self.story_id} {self.hour:%Y-%m-%d %H}:00 {self.count}"
