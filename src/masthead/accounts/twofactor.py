"""Two-factor sign-in: a TOTP authenticator app, with single-use recovery codes for a lost phone.

Devices are django-otp's: ``TOTPDevice`` for the app (RFC 6238, 30-second codes, one step of
clock drift either way, a code never accepted twice) and ``StaticDevice`` for the recovery codes
(each deleted when used).
"""

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from masthead.accounts import audit
from masthead.accounts.models import AuditEntry

RECOVERY_CODES = 10
# Roles whose accounts can publish or change people: a stolen password alone must not be enough.
ROLES_NEEDING_TWO_FACTOR = ("editor", "admin")


def required_for(user) -> bool:
    """Whether ``user`` must sign in with a second factor (``MASTHEAD_REQUIRE_2FA``, for editors and admins)."""
    if not settings.REQUIRE_2FA:
        return False
    return user.is_superuser or user.groups.filter(name__in=ROLES_NEEDING_TWO_FACTOR).exists()


def enrolled(user) -> bool:
    """Whether ``user`` has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The authenticator ``user`` is setting up: kept unconfirmed until they type its first code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def secret(device: TOTPDevice) -> str:
    """The key as an authenticator app asks for it when typed by hand (base32, in groups of four)."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` link as an SVG QR code: plain markup, no script or style, so a strict CSP allows it."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, title="Authenticator set-up code")


@transaction.atomic
def confirm(device: TOTPDevice, *, code: str, address: str) -> list[str] | None:
    """Turn the authenticator on if ``code`` is its current code; returns the new recovery codes, or None."""
    if not device.verify_token(_digits(code)):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(AuditEntry.Action.TWO_FACTOR_ON, user=device.user, address=address)
    return new_recovery_codes(device.user, address=address)


@transaction.atomic
def new_recovery_codes(user, *, address: str) -> list[str]:
    """Replace ``user``'s recovery codes with fresh ones, returned this once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="recovery codes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit.record(AuditEntry.Action.RECOVERY_CODES, user=user, address=address)
    return codes


def verify(user, *, code: str, address: str):
    """The device that accepts ``code`` (an app code or an unused recovery code), or None."""
    digits = _digits(code)
    if digits.isdigit():
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(digits):
                return device
    recovery = code.strip().replace(" ", "").lower()
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if recovery and device.verify_token(recovery):
            left = device.token_set.count()
            audit.record(AuditEntry.Action.RECOVERY_CODE_USED, user=user, address=address,
                         detail=f"{left} recovery codes left")
            return device
    return None


def _digits(code: str) -> str:
    return code.replace(" ", "").replace("-", "").strip()
