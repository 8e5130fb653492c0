"""What syndication keeps of its own: API tokens, and which stories are language editions of each other."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from masthead.accounts import audit
from masthead.accounts.models import AuditEntry
from masthead.news.models import Article

TOKEN_PREFIX = "mh_"
# A token's use is logged on its first call, on a call from a new address, and otherwise at most
# once an hour: an importer making thousands of calls must not bury the sign-ins around it.
USE_LOGGED_EVERY = timedelta(hours=1)


def default_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def create_for(self, user, *, name: str, expires_at: datetime | None = None, by=None) -> tuple["ApiToken", str]:
        """A new token for ``user``; returns the token and its secret, which is shown only this once."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = self.create(user=user, name=name, key_hash=hash_token(raw), prefix=raw[:10],
                            expires_at=expires_at or default_expiry())
        audit.record(AuditEntry.Action.TOKEN_CREATED, user=user, detail=f"{token} until {token.expires_at:%Y-%m-%d}"
                     + (f", by {by.get_username()}" if by else ""))
        return token, raw

    def authenticate(self, raw: str, *, address: str = "") -> "ApiToken | None":
        """The live token whose secret is ``raw``, or None; records its use (time, address, audit log)."""
        now, address = timezone.now(), audit.valid_address(address)
        token = self.select_related("user").filter(key_hash=hash_token(raw), revoked_at__isnull=True,
                                                   expires_at__gt=now, user__is_active=True).first()
        if token is None:
            return None
        if (token.last_used_at is None or now - token.last_used_at >= USE_LOGGED_EVERY
                or token.last_used_from != address):
            audit.record(AuditEntry.Action.TOKEN_USED, user=token.user, address=address or "", detail=str(token))
        self.filter(pk=token.pk).update(last_used_at=now, last_used_from=address)
        return token

    def revoke(self, *, by) -> int:
        """Revoke these tokens now, logging each; returns how many were live."""
        live = list(self.filter(revoked_at__isnull=True).select_related("user"))
        self.filter(pk__in=[token.pk for token in live]).update(revoked_at=timezone.now())
        for token in live:
            audit.record(AuditEntry.Action.TOKEN_REVOKED, user=token.user, detail=f"{token}, by {by.get_username()}")
        return len(live)


class ApiToken(models.Model):
    """A secret that lets an automation act in the API as ``user``, with exactly that user's permissions.

    Only a hash of the secret is stored: a leaked database does not leak working tokens. Every
    token expires (``MASTHEAD_API_TOKEN_DAYS``), so a forgotten one stops working on its own.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. 'wire desk importer'."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=10, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), default=default_expiry)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    last_used_from = models.GenericIPAddressField(_("last used from"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return _("revoked")
        return _("expired") if self.expires_at <= timezone.now() else _("live")


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
