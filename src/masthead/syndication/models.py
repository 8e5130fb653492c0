"""What syndication keeps of its own: API tokens, and which stories are language editions of each other."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from masthead.news.models import Article

TOKEN_PREFIX = "mh_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def create_for(self, user, *, name: str) -> tuple["ApiToken", str]:
        """A new token for ``user``; returns the token and its secret, which is shown only this once."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = self.create(user=user, name=name, key_hash=hash_token(raw), prefix=raw[:10])
        return token, raw

    def authenticate(self, raw: str) -> "ApiToken | None":
        """The live token whose secret is ``raw``, or None."""
        return self.select_related("user").filter(key_hash=hash_token(raw), revoked_at__isnull=True,
                                                  user__is_active=True).first()


class ApiToken(models.Model):
    """A secret that lets an automation act in the API as ``user``, with exactly that user's permissions.

    Only a hash of the secret is stored: a leaked database does not leak working tokens.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. 'wire desk importer'."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=10, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LanguageEdition(models.Model):
    """Stories sharing a ``story`` key are the same story in different languages (hreflang links)."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="edition", verbose_name=_("story"))
    story = models.SlugField(_("story key"), max_length=80,
                             help_text=_("The same key on each language edition of one story, e.g. 'zarif-araji-2021-04'."))

    class Meta:
        verbose_name = _("language edition")
        verbose_name_plural = _("language editions")
        indexes = [models.Index(fields=["story"], name="edition_story")]

    def __str__(self) -> str:
        return f"{self.story}: {self.article_id}"
