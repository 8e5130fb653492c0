"""Reader comments, the Security Key challenges that guard them, bans, and each article's comment mode."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from masthead.comments.rendering import comment_html
from masthead.news.models import Article


class Mode(models.TextChoices):
    OPEN = "open", _("Open: comments appear at once")
    PREMODERATED = "premoderated", _("Pre-moderated: a moderator approves each comment")
    CLOSED = "closed", _("Closed: no new comments")


class ArticleComments(models.Model):
    """An article's comment mode, where it differs from the site default (MASTHEAD_COMMENTS_MODE)."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True,
                                   related_name="comment_settings", verbose_name=_("story"))
    mode = models.CharField(_("comments"), max_length=16, choices=Mode.choices)

    class Meta:
        verbose_name = _("story comment mode")
        verbose_name_plural = _("story comment modes")
        constraints = [models.CheckConstraint(condition=Q(mode__in=Mode.values), name="article_comments_mode_known")]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.get_mode_display()}"


class CommentQuerySet(models.QuerySet):
    def shown(self):
        """The one definition of what readers see under an article: approved comments, oldest first."""
        return self.filter(status=Comment.Status.APPROVED).order_by("created_at", "id")

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)


class Comment(models.Model):
    """What a reader wrote under an article, stored as written; ``body_html`` is its escaped rendering."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments", verbose_name=_("story"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies",
                               verbose_name=_("in reply to"))
    name = models.CharField(_("name"), max_length=80)
    email = models.EmailField(_("email"), blank=True, help_text=_("Never shown to readers."))
    body = models.TextField(_("comment"))
    body_html = models.TextField(editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("written at"), default=timezone.now, editable=False)
    # Kept for moderation only and erased after MASTHEAD_COMMENT_RETENTION_DAYS (prune_comments).
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("moderated by"))

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        permissions = [("moderate_comment", _("Can approve, reject and ban in the moderation queue"))]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_shown"),
            models.Index(fields=["status", "created_at"], name="comment_queue"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "approved", "rejected", "spam"]),
                                   name="comment_status_known"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="comment_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.body[:60]}"

    def clean(self):
        if self.parent_id is not None:
            parent = self.parent
            if parent.article_id != self.article_id:
                raise ValidationError({"parent": _("A reply must be on the same article as the comment it answers.")})
            if parent.parent_id is not None:
                raise ValidationError({"parent": _("Replies go one level deep: answer the first comment instead.")})

    def save(self, *args, **kwargs):
        self.body_html = comment_html(self.body)
        super().save(*args, **kwargs)


class Challenge(models.Model):
    """A Security Key: only the HMAC of its token is stored; the answer is derived from the token, never kept."""

    token_hash = models.CharField(max_length=64, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("Security Key")


class Ban(models.Model):
    """An IP address or email address whose comments are refused."""

    class Kind(models.TextChoices):
        IP = "ip", _("IP address")
        EMAIL = "email", _("email")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    value = models.CharField(_("address"), max_length=254)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("banned at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("banned by"))

    class Meta:
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="ban_unique"),
            models.CheckConstraint(condition=Q(kind__in=["ip", "email"]), name="ban_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"
