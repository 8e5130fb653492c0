"""Bounces, complaints and unsubscriptions reported by a mail provider (django-anymail's webhooks).

Anymail checks each webhook's basic-auth secret (``MASTHEAD_ANYMAIL_WEBHOOK_SECRET``), and the
provider's signature where it has one, then turns the provider's payload into a normalised
``AnymailTrackingEvent``; ``record`` acts on those.
"""

from django.db import transaction
from django.db.models.functions import Lower

from masthead.newsletters.models import Subscriber, Suppression

# Anymail's normalised event types: https://anymail.dev/en/stable/sending/tracking/#anymail.signals.AnymailTrackingEvent.event_type
REASONS = {"bounced": Suppression.Reason.BOUNCED, "complained": Suppression.Reason.COMPLAINED,
           "unsubscribed": Suppression.Reason.UNSUBSCRIBED}


def suppress(*, email: str, reason: str) -> None:
    """Stop mailing ``email``: its subscriptions end and it is kept as suppressed for ``reason``."""
    with transaction.atomic():
        Subscriber.objects.filter(email__iexact=email).delete()
        found = Suppression.objects.filter(email__iexact=email).first()
        if found is None:
            Suppression.objects.create(email=email.lower(), reason=reason)
        elif found.reason == Suppression.Reason.UNSUBSCRIBED and reason != found.reason:
            found.reason = reason  # a bounce or complaint says more than a departure
            found.save(update_fields=["reason"])


def record(sender, event, esp_name, **kwargs) -> None:
    """Anymail's ``tracking`` signal: suppress the recipient of a bounce, complaint or unsubscription."""
    reason = REASONS.get(event.event_type)
    if reason and event.recipient:
        suppress(email=event.recipient, reason=reason)
