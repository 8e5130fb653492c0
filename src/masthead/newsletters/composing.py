"""The digest's content: which stories, and the message each subscriber gets (HTML and plain text).

Mail is not under the site's Content-Security-Policy and mail clients ignore stylesheets, so the
HTML is tables with inline styles and no script; it declares both colour schemes so that dark-mode
clients keep it readable. Each message is the same for every subscriber of a set of sections but
for its unsubscribe link, so its body is rendered once per set and the link put in by replacement.
"""

import hashlib
from datetime import datetime, timedelta
from email.utils import parseaddr
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, override

from masthead import house
from masthead.news.models import Article
from masthead.newsletters import subscriptions
from masthead.newsletters.models import Digest, Pick, Subscriber

UNSUBSCRIBE_MARK = "@@UNSUBSCRIBE@@"
# Stand-ins for what differs between two readers' messages, in ASCII that neither header folding
# nor the bodies' transfer encoding splits; a token is URL-safe and never holds them.
_TO_MARK = "to-mark-7f3a9c@mark.invalid"
_TOKEN_MARK = "token-mark-7f3a9c"
_ID_MARK = "id-mark-7f3a9c"
PICTURE_SIZE = (650, 365)


def top_stories(*, edition: str, at: datetime) -> list[Article]:
    """The day's top stories at ``at``: the editors' picks for that day if any are visible, else the
    newest stories of the last 24 hours in the edition's language."""
    visible = Article.objects.visible(at=at)
    picked = list(Pick.objects.filter(day=timezone.localdate(at), edition=edition)
                  .order_by("position", "id").values_list("article_id", flat=True))
    if picked:
        found = visible.in_bulk(picked)
        chosen = [found[pk] for pk in picked if pk in found][:settings.DIGEST_STORIES]
        if chosen:
            return chosen
    return list(visible.filter(language=edition, published_at__gt=at - timedelta(hours=24))
                .newest_first()[:settings.DIGEST_STORIES])


def stories_of(digest: Digest) -> list[Article]:
    """The digest's stories, in its order, as they read now."""
    found = Article.objects.select_related("section", "lead_image").in_bulk(digest.story_ids)
    return [found[pk] for pk in digest.story_ids if pk in found]


def subject(*, edition: str, at: datetime) -> str:
    with override(edition):
        return _("%(paper)s: the day's news, %(day)s") % {"paper": settings.SITE_NAME,
                                                          "day": house.day(at, language=edition)}


def special_subject(*, edition: str, at: datetime) -> str:
    with override(edition):
        return _("%(paper)s: special edition, %(day)s") % {"paper": settings.SITE_NAME,
                                                           "day": house.day(at, language=edition)}


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _items(stories: list[Article]) -> list[dict]:
    items = []
    for story in stories:
        picture = None
        if story.lead_image_id:
            picture = {"url": _absolute(story.lead_image.rendition_url(*PICTURE_SIZE)), "alt": story.lead_image.alt,
                       "width": PICTURE_SIZE[0], "height": PICTURE_SIZE[1]}
        items.append({"headline": story.headline, "kicker": story.kicker, "summary": story.summary,
                      "url": _absolute(story.get_absolute_url()), "section": story.section.name, "picture": picture})
    return items


class Composer:
    """Builds each subscriber's message for one digest, rendering each set of sections once."""

    def __init__(self, digest: Digest):
        self.digest = digest
        self.stories = stories_of(digest)
        self._bodies: dict[frozenset, tuple[str, str]] = {}
        self._raw: dict[frozenset, bytes] = {}
        self._domain = parseaddr(settings.EMAIL_FROM)[1].rpartition("@")[2] or "localhost"

    def _for(self, section_ids: frozenset) -> list[Article]:
        chosen = [s for s in self.stories if s.section_id in section_ids] if section_ids else self.stories
        return chosen or self.stories  # a reader of quiet sections still gets the day's paper

    def bodies(self, section_ids: frozenset = frozenset()) -> tuple[str, str]:
        """The (plain text, HTML) of the digest for readers of ``section_ids`` (empty: all), with
        ``UNSUBSCRIBE_MARK`` where the reader's own link goes."""
        if section_ids not in self._bodies:
            items = _items(self._for(section_ids))
            context = {"items": items, "subject": self.digest.subject, "site_name": settings.SITE_NAME,
                       "site_url": settings.SITE_URL, "paper_address": settings.PAPER_ADDRESS,
                       "unsubscribe_url": UNSUBSCRIBE_MARK, "language": self.digest.edition,
                       "direction": "rtl" if self.digest.edition == "fa" else "ltr"}
            with override(self.digest.edition):
                html = render_to_string("newsletters/digest_email.html", context)
                text = _plain_text(context)
            self._bodies[section_ids] = (text, html)
        return self._bodies[section_ids]

    def message(self, subscriber: Subscriber, *, section_ids: frozenset = frozenset(),
                connection=None) -> EmailMultiAlternatives:
        """The digest as ``subscriber`` gets it, with its one-click unsubscribe headers (RFC 8058)."""
        return self._message(subscriber.email, token=subscriptions.unsubscribe_token(subscriber.email),
                             message_id=self._message_id(subscriber.email), section_ids=section_ids,
                             connection=connection)

    def _message_id(self, email: str) -> str:
        return hashlib.blake2b(f"{self.digest.pk}:{email.lower()}".encode(), digest_size=12).hexdigest()

    def raw(self, email: str, *, section_ids: frozenset = frozenset()) -> bytes | None:
        """``message()``'s bytes as an SMTP server receives them, made by putting the address, its
        unsubscribe token and its Message-ID into bytes composed once per set of sections; None when
        that cannot be done for this address (one that is not plain ASCII), so the caller composes
        the message whole. Encoding a MIME message is most of a message's cost: this keeps it to
        once per set of sections and batch, not once per reader."""
        if not email.isascii() or b"\r" in email.encode() or b"\n" in email.encode():
            return None
        template = self._raw.get(section_ids)
        if template is None:
            built = self._message(_TO_MARK, token=_TOKEN_MARK, message_id=_ID_MARK, section_ids=section_ids)
            template = built.message().as_bytes(linesep="\r\n")
            # Folding or transfer encoding could break a mark in two; then compose each message whole.
            links = 2 + sum(part.count(UNSUBSCRIBE_MARK) for part in self.bodies(section_ids))  # 2: List-Unsubscribe
            whole = all(template.count(mark.encode()) == count
                        for mark, count in ((_TO_MARK, 1), (_ID_MARK, 1), (_TOKEN_MARK, links)))
            template = self._raw[section_ids] = template if whole else b""
        if not template:
            return None
        token = subscriptions.unsubscribe_token(email)
        # The mailto: link's subject carries the token percent-encoded, the https link as it is. A
        # signed token is URL-safe base64 and colons, of which quote() changes only the colons.
        return (template.replace(_TO_MARK.encode(), email.encode())
                .replace(f"unsubscribe%20{_TOKEN_MARK}".encode(), f"unsubscribe%20{token.replace(':', '%3A')}".encode())
                .replace(_TOKEN_MARK.encode(), token.encode())
                .replace(_ID_MARK.encode(), self._message_id(email).encode()))

    def new_batch(self) -> None:
        """Compose the raw templates again, so that each batch's messages carry its own Date."""
        self._raw.clear()

    def _message(self, email: str, *, token: str, message_id: str, section_ids: frozenset,
                 connection=None) -> EmailMultiAlternatives:
        leave = _absolute(reverse("newsletters:unsubscribe", args=[token]))
        text, html = self.bodies(section_ids)
        sender = parseaddr(settings.EMAIL_FROM)[1]
        digest_of = message_id
        message = EmailMultiAlternatives(
            self.digest.subject, text.replace(UNSUBSCRIBE_MARK, leave), settings.EMAIL_FROM, [email],
            connection=connection,
            headers={
                "List-Unsubscribe": f"<{leave}>, <mailto:{sender}?subject={quote('unsubscribe ' + token)}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"{settings.SITE_NAME} daily digest <digest-{self.digest.edition}.{self._domain}>",
                # The same message for the same reader and digest: a receiving server can recognise a resend.
                "Message-ID": f"<digest-{self.digest.pk}-{digest_of}@{self._domain}>",
            },
        )
        message.attach_alternative(html.replace(UNSUBSCRIBE_MARK, leave), "text/html")
        return message


def _plain_text(context: dict) -> str:
    lines = [context["subject"], "=" * len(context["subject"]), ""]
    for item in context["items"]:
        lines += [item["headline"], item["summary"], item["url"], ""] if item["summary"] else \
                 [item["headline"], item["url"], ""]
    lines += ["--", context["site_name"], context["site_url"]]
    if context["paper_address"]:
        lines.append(context["paper_address"])
    lines += ["", _("Unsubscribe: %(url)s") % {"url": context["unsubscribe_url"]}]
    return "\n".join(lines) + "\n"
