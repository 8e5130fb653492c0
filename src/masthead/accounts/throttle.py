"""The sign-in throttle: failed sign-ins are counted per account and per address in the shared cache.

Each limit is a fixed window (``MASTHEAD_SIGNIN_FAILURES_PER_ACCOUNT``, default 5 in 5 minutes;
``MASTHEAD_SIGNIN_FAILURES_PER_IP``, default 20 in an hour). Once an account has used up its
failures, every sign-in to it, even with the right password, is refused with 429 and
``Retry-After`` until its window ends: that slows a guesser to 60 tries an hour, under OWASP ASVS
2.2.1's ceiling of 100 failed attempts an hour per account.

A stranger cannot keep a real editor out: an account with two-factor sign-in still signs in while
locked when the password and a current code come together (``signin.through_lock``; any mistake
gets the same refusal, so the lock gives a guesser nothing to learn). Without it, the lock is
short (five minutes), keeping it on takes fresh addresses, because each address is refused for the
rest of its hour after 20 failures, and an administrator can unlock an account at once from the
audit log. Counts live in the shared cache
(Redis with ``MASTHEAD_CACHE_URL``), so they hold across processes and machines.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _, ngettext

from masthead import ratelimit
from masthead.accounts import audit
from masthead.accounts.models import AuditEntry

ACCOUNT, ADDRESS = "signin-account", "signin-ip"


@dataclass(frozen=True)
class Refusal:
    message: str
    retry_after: int
    account_locked: bool = False  # rather than the address: a second factor may still open it


def _limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    return (ratelimit.Limit.parse(settings.SIGNIN_FAILURES_PER_ACCOUNT, setting="MASTHEAD_SIGNIN_FAILURES_PER_ACCOUNT"),
            ratelimit.Limit.parse(settings.SIGNIN_FAILURES_PER_IP, setting="MASTHEAD_SIGNIN_FAILURES_PER_IP"))


def _account(username: str) -> str:
    # Counted by the name as typed, folded, so that a name that does not exist is throttled the
    # same as one that does and the answer tells nobody which names exist.
    return username.strip().casefold()


def _wait(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def refusal(*, username: str, address: str) -> Refusal | None:
    """Why a sign-in attempt must be refused without checking its password, or None if it may go on."""
    per_account, per_address = _limits()
    if ratelimit.exceeded(ADDRESS, address, per_address):
        wait = ratelimit.retry_after(per_address)
        return Refusal(_("Too many failed sign-ins from your address. Try again in %(wait)s.") % {"wait": _wait(wait)},
                       wait)
    if ratelimit.exceeded(ACCOUNT, _account(username), per_account):
        wait = ratelimit.retry_after(per_account)
        return Refusal(_("Too many failed sign-ins to this account. Try again in %(wait)s, or ask an administrator "
                         "to unlock it. With two-factor sign-in, type your password and a code to sign in now.")
                       % {"wait": _wait(wait)}, wait, account_locked=True)
    return None


def failed(*, username: str, address: str, user=None, why: str) -> None:
    """Count and log one failed sign-in; log a lock when it uses up the account's or the address's failures."""
    per_account, per_address = _limits()
    audit.record(AuditEntry.Action.FAILED, user=user, username=username, address=address, detail=why)
    for scope, subject, limit, what in ((ACCOUNT, _account(username), per_account, _("account")),
                                        (ADDRESS, address, per_address, _("address"))):
        # Exactly one failure reaches the limit (the counter is atomic): that one writes the lock.
        if ratelimit.hit(scope, subject, limit) and ratelimit.exceeded(scope, subject, limit):
            audit.record(AuditEntry.Action.LOCKED, user=user, username=username, address=address,
                         detail=_("%(what)s locked for %(wait)s after %(count)d failed sign-ins") % {
                             "what": what, "wait": _wait(ratelimit.retry_after(limit)), "count": limit.count})


def unlock(*, username: str, address: str, by) -> None:
    """Let ``username`` and ``address`` try again at once, and log who unlocked them."""
    per_account, per_address = _limits()
    ratelimit.reset(ACCOUNT, _account(username), per_account)
    if address:
        ratelimit.reset(ADDRESS, address, per_address)
    audit.record(AuditEntry.Action.UNLOCKED, username=username, address=address,
                 detail=_("unlocked by %(admin)s") % {"admin": by.get_username()})
