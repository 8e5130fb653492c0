"""What the newsroom keeps about its own work: the audit trail of states and every revision."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from masthead.news.models import Article


class StateChange(models.Model):
    """One move of a story through the workflow: who moved it, from where to where, and when."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="state_changes", verbose_name=_("story"))
    from_state = models.CharField(_("from"), max_length=12)
    to_state = models.CharField(_("to"), max_length=12)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # For a move that put the story before readers: seconds from this entry until every cache
    # confirmed the purge (the desk's "live in"), or why a cache did not confirm it.
    live_seconds = models.FloatField(_("live after (s)"), null=True, blank=True)
    # db_default: the bulk path inserts audit rows column by column and leaves this one out.
    live_error = models.CharField(_("purge not confirmed"), max_length=200, blank=True, db_default="")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["article", "-at"], name="statechange_article_at")]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.from_state} → {self.to_state}"


class Revision(models.Model):
    """The story as it stood after one save: its words and filing, who saved it, and which fields changed."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("story"))
    number = models.PositiveIntegerField(_("revision"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    data = models.JSONField(_("content"))
    changed = models.JSONField(_("changed fields"), default=list)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"
