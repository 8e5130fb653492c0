"""A story's live coverage (when it runs) and its updates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from masthead.news.models import Article


class Coverage(models.Model):
    """When a story's live coverage started and, once it has, ended: one row per live story.

    A table of its own rather than columns on the story: the article page's query stays as it
    is, and one lookup by News ID tells whether a story is live.
    """

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="coverage",
                                   verbose_name=_("story"))
    started_at = models.DateTimeField(_("coverage started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("coverage ended at"), null=True, blank=True)
    # Counts every change to the coverage (start, end, and any post, correction, pin or deletion of
    # an update). An open page asks for what changed after the version it shows: a change counter,
    # not a time, so two changes in one clock tick or a server's clock step cannot hide one.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                                              name="coverage_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.article_id}: live"

    def is_running(self, *, at=None) -> bool:
        now = at or timezone.now()
        return self.started_at <= now and (self.ended_at is None or self.ended_at > now)


class UpdateQuerySet(models.QuerySet):
    def shown(self):
        """The updates readers see: not deleted, newest first."""
        return self.filter(deleted_at__isnull=True).order_by("-number")


class LiveUpdate(models.Model):
    """One timestamped update of a live story, with its own anchor (``#update-<number>``)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="live_updates", verbose_name=_("story"))
    # Counted per story from 1, never reused (a deleted update keeps its number), so an anchor
    # once shared never points at another update.
    number = models.PositiveIntegerField(_("number"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("author account"))
    # The name readers see, kept as posted: it survives the account being renamed or removed.
    author_name = models.CharField(_("author"), max_length=150)
    headline = models.CharField(_("headline"), max_length=200, blank=True)
    body = models.TextField(_("body"), help_text=_("Markdown, as in a story's body."))
    body_html = models.TextField(editable=False)
    key_event = models.BooleanField(_("key event"), default=False)
    pinned = models.BooleanField(_("pinned"), default=False)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    edited_at = models.DateTimeField(_("corrected at"), null=True, blank=True)
    correction = models.CharField(_("correction"), max_length=300, blank=True,
                                  help_text=_("What was changed after posting, as readers will read it."))
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # The coverage's version when this update last changed (posted, corrected, pinned or unpinned,
    # marked, deleted): the open pages behind that version are sent it again.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    objects = UpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="liveupdate_number_unique"),
            models.UniqueConstraint(fields=["article"], condition=Q(pinned=True), name="liveupdate_one_pinned"),
        ]
        indexes = [models.Index(fields=["article", "version"], name="liveupdate_changes")]

    def __str__(self) -> str:
        return f"{self.article_id} #{self.number}"

    @property
    def anchor(self) -> str:
        return f"update-{self.number}"
