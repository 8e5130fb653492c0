"""The audit log: one function writes every entry, so each names its account, address and time the same way."""

import ipaddress

from masthead.accounts.models import AuditEntry


def valid_address(text: str) -> str | None:
    """``text`` as an IP address, or None if it is not one."""
    # X-Forwarded-For may carry anything; PostgreSQL's inet column would refuse it mid-sign-in.
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def record(action: str, *, user=None, username: str = "", address: str = "", detail: str = "") -> AuditEntry:
    """Write one audit entry; ``username`` defaults to the account's."""
    if user is not None and not username:
        username = user.get_username()
    return AuditEntry.objects.create(action=action, user=user, username=username[:150], address=valid_address(address),
                                     detail=detail[:300])
