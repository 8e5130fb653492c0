"""Signing in to the newsroom: the password step, the second-factor step, and what an account must do first.

The views and the newsroom site call these; the rules (throttle, two factors, one-time passwords)
live in ``throttle.py``, ``twofactor.py`` and here.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django_otp import login as otp_login

from masthead import ratelimit
from masthead.accounts import audit, throttle, twofactor
from masthead.accounts.models import AuditEntry, OneTimePassword

# The password was right; the second factor is still to come. Kept in the session for five
# minutes at most, so a half-finished sign-in on a shared computer does not wait for the next person.
PENDING = "accounts_pending_signin"
PENDING_SECONDS = 300


def address(request) -> str:
    """The client's address, as the comment limits read it (``MASTHEAD_PROXY_HOPS``)."""
    return ratelimit.client_ip(request, proxy_hops=settings.PROXY_HOPS)


def password_accepted(request, user, *, next_url: str) -> bool:
    """Sign ``user`` in after a right password; returns False when a second factor must follow first."""
    if twofactor.enrolled(user):
        request.session[PENDING] = {"user": user.pk, "backend": user.backend, "at": time.time(), "next": next_url}
        return False
    login(request, user)
    audit.record(AuditEntry.Action.SIGNED_IN, user=user, address=address(request), detail="password")
    return True


def through_lock(request, user, *, code: str) -> bool:
    """Sign in an account locked by others' failures: its right password came with a right second-factor code.

    ``user`` is the account whose password was right. Returns False (and counts a failure) when it
    has no second factor or the code is wrong: the caller answers with the same refusal either way.
    """
    where = address(request)
    device = twofactor.verify(user, code=code, address=where) if code and twofactor.enrolled(user) else None
    if device is None:
        throttle.failed(username=user.get_username(), address=where, user=user, why="locked; no right two-factor code")
        return False
    login(request, user)
    otp_login(request, device)
    audit.record(AuditEntry.Action.SIGNED_IN, user=user, address=where,
                 detail=f"password and {device.name}, through an account lock")
    return True


def pending_user(request):
    """The account whose password was right and whose second factor is awaited, or None."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return get_user_model().objects.filter(pk=pending["user"], is_active=True, is_staff=True).first()


def second_factor(request, user, *, code: str) -> throttle.Refusal | str | None:
    """Check the second step's code: a refusal (throttled), the URL to go on to (signed in), or None (wrong code)."""
    where = address(request)
    refused = throttle.refusal(username=user.get_username(), address=where)
    if refused:
        return refused
    device = twofactor.verify(user, code=code, address=where)
    if device is None:
        throttle.failed(username=user.get_username(), address=where, user=user, why="wrong two-factor code")
        return None
    pending = request.session.pop(PENDING)
    user.backend = pending["backend"]
    login(request, user)
    otp_login(request, device)
    audit.record(AuditEntry.Action.SIGNED_IN, user=user, address=where, detail=f"password and {device.name}")
    return pending["next"]


def password_failed(request, *, username: str) -> None:
    """Count and log a wrong user name or password."""
    user = get_user_model().objects.filter(username=username).first()
    throttle.failed(username=username, address=address(request), user=user, why="wrong user name or password")


def first_task(request) -> str | None:
    """What a signed-in newsroom account must do before anything else: 'password', 'two-factor', 'sign-in' or None.

    'sign-in' means the account has turned two-factor sign-in on since this session began with a
    password alone: it must sign in again with a code.
    """
    user = request.user
    if OneTimePassword.objects.filter(user=user).exists():
        return "password"
    if twofactor.required_for(user) and not user.is_verified():
        return "sign-in" if twofactor.enrolled(user) else "two-factor"
    return None


def password_changed(request) -> None:
    """The account has chosen its own password: a one-time password is spent."""
    OneTimePassword.objects.filter(user=request.user).delete()
    audit.record(AuditEntry.Action.PASSWORD_SET, user=request.user, address=address(request))
