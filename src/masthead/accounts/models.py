"""What accounts keep: the audit log of sign-ins and tokens, and which passwords are one-time."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One thing that happened to an account: a sign-in, a failure, a lock, an unlock, a token's use."""

    class Action(models.TextChoices):
        SIGNED_IN = "signed-in", _("signed in")
        FAILED = "failed", _("sign-in failed")
        LOCKED = "locked", _("locked")
        UNLOCKED = "unlocked", _("unlocked")
        SIGNED_OUT = "signed-out", _("signed out")
        PASSWORD_SET = "password-set", _("password set")
        TWO_FACTOR_ON = "2fa-on", _("two-factor sign-in turned on")
        RECOVERY_CODES = "recovery-codes", _("new recovery codes")
        RECOVERY_CODE_USED = "recovery-used", _("recovery code used")
        TOKEN_CREATED = "token-created", _("API token created")
        TOKEN_USED = "token-used", _("API token used")
        TOKEN_REVOKED = "token-revoked", _("API token revoked")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    action = models.CharField(_("what"), max_length=16, choices=Action.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("account"))
    # As typed at the sign-in form: failures name accounts that may not exist.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["username", "-at"], name="audit_username_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.username}"


class OneTimePassword(models.Model):
    """The account's password was printed once (by ``masthead newsroom_account``): it must be replaced at first sign-in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_time_password")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"one-time password of {self.user_id}"
