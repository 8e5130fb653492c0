"""Subscribers, suppressed addresses, editors' picks, and each digest with its send log.

Privacy: a subscriber is only an address, an edition, optional sections, when it was confirmed and
where the form was (its source). Nothing is stored before the reader confirms: the confirmation
link carries the request itself, signed.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Subscriber(models.Model):
    """A confirmed address receiving one edition's digest."""

    email = models.EmailField(_("email address"), max_length=254)
    edition = models.CharField(_("edition"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    sections = models.ManyToManyField("news.Section", blank=True, related_name="+", verbose_name=_("sections"),
                                      help_text=_("None: every section."))
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=120, blank=True, help_text=_("The page the form was on."))

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(Lower("email"), "edition", name="newsletter_subscriber_once")]

    def __str__(self) -> str:
        return f"{self.email} ({self.edition})"


class Suppression(models.Model):
    """An address we must not mail: it left, bounced or complained."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Complained")

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email}: {self.reason}"


class Pick(models.Model):
    """An editor's choice for one day's digest of one edition; without picks the newest stories go."""

    day = models.DateField(_("day"), default=timezone.localdate)
    edition = models.CharField(_("edition"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    article = models.ForeignKey("news.Article", on_delete=models.CASCADE, related_name="+", verbose_name=_("story"))
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        ordering = ["day", "edition", "position", "id"]
        constraints = [models.UniqueConstraint("day", "edition", "article", name="newsletter_pick_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.edition} #{self.position}"


class Digest(models.Model):
    """One edition's digest of one day, or a special edition an editor sent by hand: its stories are
    fixed when it is first composed, so a resumed send carries the same ones."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily")
        SPECIAL = "special", _("Special edition")

    edition = models.CharField(_("edition"), max_length=8, choices=settings.LANGUAGES)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.DAILY)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("sent by"),
                                   help_text=_("The editor who sent a special edition."))
    day = models.DateField(_("day"))
    subject = models.CharField(_("subject"), max_length=250)
    story_ids = models.JSONField(_("News IDs"), default=list)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)

    class Meta:
        ordering = ["-day", "edition"]
        # One daily digest per edition and day; special editions as many as the news needs.
        constraints = [models.UniqueConstraint("edition", "day", condition=models.Q(kind="daily"),
                                               name="newsletter_digest_once")]
        permissions = [("send_special_digest", _("Can send a special edition of the digest"))]

    def __str__(self) -> str:
        special = f" {self.get_kind_display()} #{self.pk}" if self.kind == self.Kind.SPECIAL else ""
        return f"{self.day} ({self.edition}){special}"


class Delivery(models.Model):
    """The send log: one row per address a digest was handed to, written as soon as the mail server
    accepted it. A resumed send skips every address logged here."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField(max_length=254)
    sent_at = models.DateTimeField(default=timezone.now)
    error = models.CharField(max_length=250, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint("digest", "email", name="newsletter_delivery_once")]
