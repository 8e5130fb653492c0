"""Joining and leaving: double opt-in with signed links, rate limits, and one-click unsubscribe.

Nothing is stored before a reader confirms: the confirmation link carries the request (address,
edition, sections, source and when it was asked), signed with ``SECRET_KEY``. A link is refused
when forged, when older than ``MASTHEAD_NEWSLETTER_CONFIRM_SECONDS``, and when used: the
subscription it made (or a later unsubscription) is newer than the request it carries.

The form answers the same whatever the address's state (new, subscribed, suppressed, or sent
too many confirmations), so it cannot be used to learn who reads the paper.
"""

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead.news.models import Section
from masthead.newsletters.models import Subscriber, Suppression
from masthead.ratelimit import Limit, hit, retry_after

logger = logging.getLogger(__name__)

CONFIRM_SALT = "masthead.newsletters.confirm"
LEAVE_SALT = "masthead.newsletters.unsubscribe"


class Invalid(Exception):
    """The form's input is wrong; ``field`` names what."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class Throttled(Exception):
    def __init__(self, wait: int):
        super().__init__(_("Too many subscriptions from your address: try again in %(minutes)s minutes.")
                         % {"minutes": max(1, round(wait / 60))})
        self.wait = wait


class MailFailed(Exception):
    """The mail server could not take the confirmation; nothing was stored."""


class LinkRefused(Exception):
    """A confirmation or unsubscribe link that is forged, expired or already used."""


def limits() -> dict[str, Limit]:
    return {"ip": Limit.parse(settings.NEWSLETTER_RATE_PER_IP, setting="MASTHEAD_NEWSLETTER_RATE_PER_IP"),
            "recipient": Limit.parse(settings.NEWSLETTER_RATE_PER_RECIPIENT,
                                     setting="MASTHEAD_NEWSLETTER_RATE_PER_RECIPIENT")}


def normalise(email: str) -> str:
    """The address as stored: trimmed, with its domain in lower case (the local part may be case-sensitive)."""
    local, _at, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


@dataclass(frozen=True)
class Request:
    email: str
    edition: str
    section_ids: tuple[int, ...]
    source: str


def clean(*, email: str, edition: str | None, sections: list[str], source: str) -> Request:
    """The form's input checked, or ``Invalid`` naming the field."""
    email = (email or "").strip()
    if not email:
        raise Invalid("email", _("Type your email address."))
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid("email", _("%(email)s is not an email address.") % {"email": email[:254]}) from None
    edition = edition or settings.LANGUAGE_CODE
    if edition not in dict(settings.LANGUAGES):
        raise Invalid("edition", _("There is no %(edition)s edition.") % {"edition": edition[:20]})
    try:
        wanted = {int(value) for value in sections if str(value).strip()}
    except ValueError:
        raise Invalid("sections", _("Choose sections from the list.")) from None
    known = set(Section.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - known:
        raise Invalid("sections", _("Choose sections from the list."))
    return Request(normalise(email), edition, tuple(sorted(known)), (source or "")[:120])


def ask(request: Request, *, ip: str) -> None:
    """Send ``request``'s confirmation link, unless a limit or a suppression says not to; the caller
    cannot tell which happened (no list probing). Raises ``Throttled`` for the sender's address only."""
    rules = limits()
    if not hit("newsletter-ip", ip, rules["ip"]):
        raise Throttled(retry_after(rules["ip"]))
    if not hit("newsletter-to", request.email.lower(), rules["recipient"]):
        return
    if Suppression.objects.filter(email__iexact=request.email,
                                  reason__in=[Suppression.Reason.BOUNCED, Suppression.Reason.COMPLAINED]).exists():
        return
    link = settings.SITE_URL + reverse("newsletters:confirm", args=[confirmation_token(request)])
    body = _("Someone, probably you, asked to receive %(paper)s by email at this address.\n\n"
             "To confirm, open this link within %(hours)s hours:\n%(link)s\n\n"
             "If it was not you, ignore this message: nothing will be sent.\n") % {
        "paper": settings.SITE_NAME, "hours": settings.NEWSLETTER_CONFIRM_SECONDS // 3600, "link": link}
    try:
        EmailMessage(_("Confirm your subscription to %(paper)s") % {"paper": settings.SITE_NAME}, body,
                     settings.EMAIL_FROM, [request.email]).send()
    except (smtplib.SMTPException, OSError) as error:
        logger.error("The confirmation mail could not be sent: %s", error)
        raise MailFailed(_("We could not send the confirmation just now: try again in a few minutes.")) from None


def confirmation_token(request: Request, *, at: float | None = None) -> str:
    payload = {"e": request.email, "ed": request.edition, "s": list(request.section_ids), "src": request.source,
               "t": at if at is not None else time.time()}
    return signing.dumps(payload, salt=CONFIRM_SALT, compress=True)


def confirm(token: str) -> Subscriber:
    """Make the subscription a confirmation link carries, or ``LinkRefused`` saying why not."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT)
        asked = datetime.fromtimestamp(float(payload["t"]), tz=dt_timezone.utc)
        email, edition, section_ids, source = payload["e"], payload["ed"], payload["s"], payload["src"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkRefused(_("This confirmation link is not one we sent: subscribe again from the form.")) from None
    if (timezone.now() - asked).total_seconds() > settings.NEWSLETTER_CONFIRM_SECONDS:
        raise LinkRefused(_("This confirmation link has expired: subscribe again from the form."))
    with transaction.atomic():
        existing = Subscriber.objects.select_for_update().filter(email__iexact=email, edition=edition).first()
        left = Suppression.objects.filter(email__iexact=email).first()
        if (existing and existing.confirmed_at >= asked) or (left and left.created_at >= asked):
            raise LinkRefused(_("This confirmation link has already been used."))
        if left:
            left.delete()  # asked again after leaving or bouncing: the reader's new, confirmed wish wins
        subscriber = existing or Subscriber(email=email, edition=edition)
        subscriber.confirmed_at, subscriber.source = timezone.now(), source
        subscriber.save()
        subscriber.sections.set(Section.objects.filter(pk__in=section_ids))
    return subscriber


def unsubscribe_token(email: str) -> str:
    return signing.dumps(email.lower(), salt=LEAVE_SALT)


def unsubscribe(token: str) -> str:
    """End every subscription of the address a link names and suppress it; the address, or ``LinkRefused``."""
    try:
        email = signing.loads(token, salt=LEAVE_SALT)
    except signing.BadSignature:
        raise LinkRefused(_("This unsubscribe link is not one we sent: use the link in the newsletter itself.")) from None
    with transaction.atomic():
        Subscriber.objects.filter(email__iexact=email).delete()
        if not Suppression.objects.filter(email__iexact=email).exists():
            Suppression.objects.create(email=email, reason=Suppression.Reason.UNSUBSCRIBED)
    return email
