"""Accounts with an authenticator app, and the codes it would show."""

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from masthead.accounts import twofactor


def current_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app holding ``device``'s key shows now (or ``steps_ahead`` codes later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor sign-in on for ``user`` as the account page does; returns the device and recovery codes."""
    device = twofactor.pending_device(user)
    codes = twofactor.confirm(device, code=current_code(device), address="127.0.0.1")
    assert codes is not None
    device.refresh_from_db()
    return device, codes
