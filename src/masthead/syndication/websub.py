"""WebSub (https://www.w3.org/TR/websub/): tell the paper's hub which feeds changed, so it can push them.

``stories.indexes.after_commit()`` calls ``notify_on_commit(article)``; after the commit, one POST per
changed feed (``hub.mode=publish``, ``hub.url=<feed>``, the form publishers use with Google's and
Superfeedr's hubs) goes to ``MASTHEAD_WEBSUB_HUB`` from a background thread, so a slow or
unreachable hub never holds up an editor. Failures are logged, never raised.
"""

import logging
import threading
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import transaction

from masthead.news.models import Article
from masthead.syndication.feeds import feed_path

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5


def topics(article: Article) -> list[str]:
    """The addresses of every feed that lists ``article``: the paper's, its section's, tags' and authors'."""
    owners = [(None, None), (article.section, "section")]
    owners += [(tag, "tag") for tag in article.tags.all()]
    owners += [(author, "author") for author in article.authors.all()]
    urls = [settings.SITE_URL + feed_path(fmt, obj, kind) for obj, kind in owners for fmt in ("rss", "atom", "json")]
    urls += [f"{settings.SITE_URL}/News/Feed", f"{settings.SITE_URL}/News/Feed?id={article.section_id}"]
    return urls


def notify_on_commit(article: Article) -> None:
    """After the commit, tell the hub that the feeds of ``article`` changed, if it is or just was on them."""
    hub = settings.WEBSUB_HUB
    # A scheduled story reaches its feeds at its time, with no event to notify from: the hub
    # learns of it with the next change, or when it polls.
    if not hub or not (article.is_visible() or article.status == Article.Status.UNPUBLISHED):
        return
    urls = topics(article)
    transaction.on_commit(lambda: threading.Thread(target=notify, args=(hub, urls), daemon=True).start())


def notify(hub: str, urls: list[str]) -> int:
    """POST a publish notification for each of ``urls`` to ``hub``; returns how many the hub accepted."""
    accepted = 0
    for url in urls:
        body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": url}).encode()
        request = urllib.request.Request(hub, data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                response.read()
            accepted += 1
        except (urllib.error.URLError, OSError) as error:  # HTTPError is a URLError
            log.warning("WebSub hub %s refused or missed the update of %s: %s", hub, url, error)
    return accepted
